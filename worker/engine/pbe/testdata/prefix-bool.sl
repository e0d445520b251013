; H3LIX test task returning Bool.
(set-logic SLIA)
(synth-fun f ((s String)) Bool
    ((Start Bool ((str.prefixof ntString ntString) (str.suffixof ntString ntString) (str.contains ntString ntString)))
     (ntString String (s "http" "://" ".nl"))))
(declare-var s String)
(constraint (= (f "http://x.nl") true))
(constraint (= (f "ftp://y.org") false))
(constraint (= (f "https://z.com") true))
(constraint (= (f "mailto:a@b") false))
(check-synth)
