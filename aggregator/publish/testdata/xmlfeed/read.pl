#!/usr/bin/perl
# read.pl URL: fetches the feed at URL with XML::Feed, the Perl feed
# library (over XML::RSS and XML::Atom) behind Perl's planets and
# aggregators, and prints what it understood as JSON.
use strict;
use warnings;
use JSON::PP;
use URI;
use XML::Feed;

# Every enclosure of an entry, not only its last.
$XML::Feed::MULTIPLE_ENCLOSURES = 1;
# Atom's text as characters, as XML::Atom's documentation tells programs
# that handle text outside ASCII to ask: without it, a title is its UTF-8
# bytes while the content is characters.
$XML::Atom::ForceUnicode = 1;

my $feed = XML::Feed->parse(URI->new($ARGV[0]))
    or die "XML::Feed: " . XML::Feed->errstr . "\n";

# date is a DateTime in UTC written as RFC 3339, or undef.
sub date {
    my ($d) = @_;
    return undef unless $d;
    return $d->clone->set_time_zone('UTC')->strftime('%Y-%m-%dT%H:%M:%SZ');
}

# content is an XML::Feed::Content's type and text, or undef.
sub content {
    my ($c) = @_;
    return undef unless $c && defined $c->body;
    return { type => $c->type, body => $c->body };
}

my @entries;
for my $e ($feed->entries) {
    my @encs;
    for my $enc ($e->enclosure) {
        next unless $enc;
        push @encs, { url => $enc->url, type => $enc->type, length => $enc->length };
    }
    push @entries, {
        id         => $e->id,
        title      => $e->title,
        link       => $e->link,
        issued     => date($e->issued),
        modified   => date($e->modified),
        # XML::RSS gives one dc:creator as a string, several as a list.
        authors    => [ map { ref eq 'ARRAY' ? @$_ : defined ? $_ : () } $e->author ],
        categories => [ $e->category ],
        enclosures => \@encs,
        content    => content($e->content),
        summary    => content($e->summary),
    };
}
print JSON::PP->new->utf8->canonical->encode({
    format  => $feed->format,
    title   => $feed->title,
    link    => $feed->link,
    entries => \@entries,
});
