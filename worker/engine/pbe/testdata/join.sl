; H3LIX test task with two parameters and no grammar (default grammar).
(set-logic SLIA)
(synth-fun f ((a String) (b String)) String)
(declare-var a String)
(declare-var b String)
(constraint (= (f "Rotterdam" "Zuid-Holland") "Rotterdam (Zuid-Holland)"))
(constraint (= (f "Groningen" "Groningen") "Groningen (Groningen)"))
(constraint (= (f "Arnhem" "Gelderland") "Arnhem (Gelderland)"))
(check-synth)
