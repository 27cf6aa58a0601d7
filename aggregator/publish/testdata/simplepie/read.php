<?php
// read.php URL: fetches the feed at URL with SimplePie, the PHP feed
// library behind WordPress and many web readers, as they use it (its
// default sanitising on), and prints what it understood as JSON.
error_reporting(E_ALL & ~E_DEPRECATED & ~E_STRICT);
require_once '/usr/share/php/simplepie/SimplePie.compiled.php';

// Debian's SimplePie (1.3.1) builds its date parser with implode()'s
// arguments in the order PHP 8 no longer takes, and fails on the first
// date it reads: this parser is built the same way, with the arguments in
// the order PHP takes them, and parses every date as SimplePie's does.
class DateParser extends SimplePie_Parse_Date
{
	public function __construct()
	{
		$this->day_pcre = '(' . implode('|', array_keys($this->day)) . ')';
		$this->month_pcre = '(' . implode('|', array_keys($this->month)) . ')';
		foreach (get_class_methods($this) as $method) {
			if (strtolower(substr($method, 0, 5)) === 'date_') {
				$this->built_in[] = $method;
			}
		}
	}

	public static function get()
	{
		static $object;
		if (!$object) {
			$object = new DateParser();
		}
		return $object;
	}

	// date_w3cdtf is SimplePie's, given a fraction of a second of 0 where
	// a date has none: it divides the fraction it matched, the empty
	// string then, which PHP 8 refuses.
	public function date_w3cdtf($date)
	{
		return parent::date_w3cdtf(preg_replace('/([0-9]:[0-9]{2})(Z|[+-])/', '$1.0$2', $date));
	}
}

$feed = new SimplePie();
$feed->registry->register('Parse_Date', 'DateParser');
$feed->set_feed_url($argv[1]);
$feed->enable_cache(false);
$feed->init();

$types = array();
foreach (array('rss20' => SIMPLEPIE_TYPE_RSS_20, 'atom10' => SIMPLEPIE_TYPE_ATOM_10) as $name => $bit) {
	if ($feed->get_type() & $bit) {
		$types[] = $name;
	}
}
$out = array('error' => (string) $feed->error(), 'types' => $types, 'title' => (string) $feed->get_title(), 'entries' => array());
foreach ($feed->get_items() as $item) {
	$authors = array();
	foreach ((array) $item->get_authors() as $a) {
		$authors[] = array('name' => (string) $a->get_name(), 'email' => (string) $a->get_email());
	}
	$categories = array();
	foreach ((array) $item->get_categories() as $c) {
		$categories[] = (string) $c->get_label();
	}
	$enclosures = array();
	foreach ((array) $item->get_enclosures() as $e) {
		// SimplePie gives every item an enclosure, one without a URL when
		// the item has none, and, as Debian builds it, ends the URL of
		// every enclosure with an empty query and fragment ("//?#" for
		// none, "…?token=x#"): those are not the feed's.
		$url = preg_replace('/\??#?$/', '', (string) $e->get_link());
		if ($url !== '//') {
			$enclosures[] = array('url' => $url, 'type' => (string) $e->get_type(), 'length' => (string) $e->get_length());
		}
	}
	$out['entries'][] = array(
		'id' => (string) $item->get_id(),
		'title' => (string) $item->get_title(),
		// get_permalink() would give the URL of the empty enclosure to an
		// item without a link: its link, else none.
		'link' => (string) @$item->get_link(),
		'date' => (string) $item->get_gmdate('Y-m-d\TH:i:s\Z'),
		'authors' => $authors,
		'categories' => $categories,
		'enclosures' => $enclosures,
		'content' => (string) $item->get_content(true),
		'description' => (string) $item->get_description(true),
	);
}
echo json_encode($out, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
