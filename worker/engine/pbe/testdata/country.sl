; H3LIX test task that needs a conditional: append ", NL" unless present.
(set-logic SLIA)
(synth-fun f ((city String)) String
    ((Start String (ntString))
     (ntString String (city "," " " "NL"
                       (str.++ ntString ntString)
                       (ite ntBool ntString ntString)))
     (ntBool Bool ((str.suffixof ntString ntString)
                   (str.contains ntString ntString)))))
(declare-var city String)
(constraint (= (f "Delft") "Delft, NL"))
(constraint (= (f "Utrecht, NL") "Utrecht, NL"))
(constraint (= (f "Leiden") "Leiden, NL"))
(constraint (= (f "Breda, NL") "Breda, NL"))
(constraint (= (f "Gouda") "Gouda, NL"))
(check-synth)
