; H3LIX test task whose outputs insert a word no input holds and the grammar
; has no constant for: append ", USA" unless present. The grammar spells it
; out of letters (proposed.go), kept out of testdata/*.sl on purpose so that
; the sets other tests glob stay as they are.
(set-logic SLIA)
(synth-fun f ((city String)) String
    ((Start String (ntString))
     (ntString String (city "," " " "A" "E" "S" "U" "X"
                       (str.++ ntString ntString)
                       (ite ntBool ntString ntString)))
     (ntBool Bool ((str.suffixof ntString ntString)
                   (str.contains ntString ntString)))))
(declare-var city String)
(constraint (= (f "Austin, TX") "Austin, TX, USA"))
(constraint (= (f "Reno, NV, USA") "Reno, NV, USA"))
(constraint (= (f "Tampa, FL") "Tampa, FL, USA"))
(constraint (= (f "Dover, DE, USA") "Dover, DE, USA"))
(constraint (= (f "Erie, PA") "Erie, PA, USA"))
(check-synth)
