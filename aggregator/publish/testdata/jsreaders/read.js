// Reads one published feed document, named by its path, with three
// JavaScript feed readers and prints, as JSON, what each understood:
// rss-parser and feedparser (RSS and Atom) and feed-extractor (every
// format). The second argument is the document's format: rss, atom or json.
'use strict';
const fs = require('fs');
const { Readable } = require('stream');
const RSSParser = require('rss-parser');
const FeedParser = require('feedparser');
const { extractFromXml, extractFromJson } = require('@extractus/feed-extractor');

const [file, format] = process.argv.slice(2);
const body = fs.readFileSync(file);

function entry(id, title, link, date) {
  return { id: id || '', title: title || '', link: link || '', date: date ? new Date(date).toISOString() : '' };
}

async function rssParser() {
  const feed = await new RSSParser().parseString(body.toString('utf8'));
  return { title: feed.title || '', entries: feed.items.map(i => entry(i.guid || i.id, i.title, i.link, i.isoDate)) };
}

function feedParser() {
  return new Promise((resolve, reject) => {
    const p = new FeedParser({ normalize: true, addmeta: false });
    const entries = [];
    p.on('error', reject);
    p.on('readable', function () {
      let i;
      while ((i = this.read())) entries.push(entry(i.guid, i.title, i.link, i.pubdate));
    });
    p.on('end', () => resolve({ title: (p.meta && p.meta.title) || '', entries }));
    Readable.from([body]).pipe(p);
  });
}

function feedExtractor() {
  const opts = { normalization: false };
  const feed = format === 'json' ? extractFromJson(JSON.parse(body.toString('utf8')), opts) : extractFromXml(body.toString('utf8'), opts);
  const items = feed.items || feed.item || feed.entry || (feed.channel && feed.channel.item) || [];
  return { title: textOf(feed.title || (feed.channel && feed.channel.title)), entries: [].concat(items).map(i =>
    entry(textOf(i.id || i.guid), textOf(i.title), linkOf(i), i.date_published || i.published || i.pubDate || i.updated)) };
}

function textOf(v) {
  if (v && typeof v === 'object') return v['#text'] || v._ || '';
  return v || '';
}

function linkOf(i) {
  if (i.url) return i.url;
  const l = i.link;
  if (Array.isArray(l)) { const alt = l.find(x => !x['@_rel'] || x['@_rel'] === 'alternate'); return alt ? alt['@_href'] : ''; }
  if (l && typeof l === 'object') return l['@_href'] || '';
  return l || '';
}

(async () => {
  const readers = format === 'json' ? { 'feed-extractor': feedExtractor } : { 'rss-parser': rssParser, feedparser: feedParser, 'feed-extractor': feedExtractor };
  const out = {};
  for (const [name, read] of Object.entries(readers)) {
    try {
      out[name] = await read();
    } catch (e) {
      out[name] = { error: String(e && e.message || e) };
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
