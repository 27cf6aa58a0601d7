;;; read.el --- what elfeed understands of a feed  -*- lexical-binding: t -*-

;; Usage: emacs --batch -l read.el URL IN OUT
;;
;; Reads the feed document IN, fetched from URL, with elfeed's own parser
;; (elfeed-xml-parse-region, elfeed-feed-type, elfeed-entries-from-rss and
;; elfeed-entries-from-atom), the functions elfeed's updater calls on what
;; it fetched, and writes to OUT, as JSON in UTF-8, the feed's type and
;; title and each entry's id, title, link, date (Unix seconds), content and
;; its type, authors, tags, categories and enclosures.  Elfeed's database
;; lives in a folder of its own, $ELFEED_DB, which nothing else uses.

(require 'elfeed)
(require 'json)

(let* ((url (nth 0 command-line-args-left))
       (in (nth 1 command-line-args-left))
       (out (nth 2 command-line-args-left))
       (elfeed-db-directory (getenv "ELFEED_DB"))
       (xml (with-temp-buffer
              (set-buffer-multibyte nil)
              (insert-file-contents-literally in)
              (elfeed-xml-parse-region (point-min) (point-max))))
       (type (elfeed-feed-type xml))
       (entries (pcase type
                  (:atom (elfeed-entries-from-atom url xml))
                  (:rss (elfeed-entries-from-rss url xml))
                  (_ (error "elfeed: %s is not a feed it reads" url))))
       (feed (elfeed-db-get-feed url)))
  (setq command-line-args-left nil)
  (with-temp-buffer
    (insert
     (json-encode
      `((type . ,(symbol-name type))
        (title . ,(elfeed-feed-title feed))
        (entries
         . ,(vconcat
             (mapcar
              (lambda (e)
                (let ((meta (elfeed-entry-meta e)))
                  `((namespace . ,(car (elfeed-entry-id e)))
                    (id . ,(cdr (elfeed-entry-id e)))
                    (title . ,(elfeed-entry-title e))
                    (link . ,(elfeed-entry-link e))
                    (date . ,(elfeed-entry-date e))
                    (content . ,(elfeed-deref (elfeed-entry-content e)))
                    (contentType . ,(let ((ct (elfeed-entry-content-type e)))
                                      (and ct (symbol-name ct))))
                    (authors
                     . ,(vconcat
                         (mapcar (lambda (a)
                                   `((name . ,(plist-get a :name))
                                     (email . ,(plist-get a :email))))
                                 (plist-get meta :authors))))
                    (tags . ,(vconcat (mapcar #'symbol-name (elfeed-entry-tags e))))
                    (categories . ,(vconcat (plist-get meta :categories)))
                    (enclosures
                     . ,(vconcat
                         (mapcar (lambda (enc)
                                   `((url . ,(nth 0 enc))
                                     (type . ,(nth 1 enc))
                                     (length . ,(nth 2 enc))))
                                 (elfeed-entry-enclosures e)))))))
              entries))))))
    (let ((coding-system-for-write 'utf-8-unix))
      (write-region (point-min) (point-max) out nil 'silent))))
