// Package near finds near-duplicate reports: the same story re-posted,
// re-titled, trimmed or wrapped in a site's chrome.
//
// It is pure: it turns an item's title and sanitised HTML into plain text
// (Text, Lines), separates a source's recurring chrome from the article
// (Prose, LineKey), reduces the article to a compact Doc of weighted terms,
// named entities, numbers and word shingles (NewDoc, Doc.Encode, Decode),
// scores two Docs (Similarity), an item against a story (Profile, the sum
// of its members' vectors, and StoryScore) and two stories against each
// other (Linkage), and names the index bands a Doc is filed and looked up
// under (Doc.Bands, Doc.LookupBands). Storage of the index, of the
// term statistics and of the encoded Docs belongs to the caller.
package near
