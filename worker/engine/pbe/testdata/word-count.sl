; H3LIX test task returning Int: position of the first comma.
(set-logic SLIA)
(synth-fun f ((s String)) Int
    ((Start Int (ntInt))
     (ntInt Int (0 1 (+ ntInt ntInt) (str.indexof ntString ntString ntInt) (str.len ntString)))
     (ntString String (s "," " "))))
(declare-var s String)
(constraint (= (f "a,b") 1))
(constraint (= (f "hello, world") 5))
(constraint (= (f "no comma") (- 1)))
(check-synth)
