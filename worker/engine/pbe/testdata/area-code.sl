; H3LIX test task: the middle group of a dashed number, SyGuS-IF 2.1 syntax.
(set-logic SLIA)
(synth-fun f ((s String)) String
  ((Start String) (I Int))
  ((Start String (s "-" (str.++ Start Start) (str.substr Start I I) (str.from_int I)))
   (I Int (0 1 2 3 4 (+ I I) (str.len Start) (str.to_int Start) (str.indexof Start Start I)))))
(declare-var s String)
(constraint (= (f "415-555-0199") "555"))
(constraint (= (f "212-867-5309") "867"))
(constraint (= (f "650-253-0000") "253"))
(check-synth)
