; H3LIX test task: the last name of a two-word name (SyGuS v1, old operator names).
(set-logic SLIA)
(synth-fun f ((name String)) String
    ((Start String (ntString))
     (ntString String (name " " "."
                       (str.++ ntString ntString)
                       (str.replace ntString ntString ntString)
                       (str.at ntString ntInt)
                       (int.to.str ntInt)
                       (str.substr ntString ntInt ntInt)))
     (ntInt Int (0 1 2
                 (+ ntInt ntInt)
                 (- ntInt ntInt)
                 (str.len ntString)
                 (str.to.int ntString)
                 (str.indexof ntString ntString ntInt)))))
(declare-var name String)
(constraint (= (f "Ada Lovelace") "Lovelace"))
(constraint (= (f "Grace Hopper") "Hopper"))
(constraint (= (f "Alan Turing") "Turing"))
(constraint (= (f "Edsger Dijkstra") "Dijkstra"))
(check-synth)
