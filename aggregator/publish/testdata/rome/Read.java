// Read.java URL...: fetches the feed at each URL with ROME, the Java
// library behind many Java feed readers and servers, has its SyndFeedInput
// read it as they use it, then again in ROME's strict mode (its XML healer,
// which mends broken XML before parsing, off, and a DOCTYPE refused), and
// prints what it understood each time as one line of JSON, "strict" saying
// which, "error" what ROME threw.
//
// Run with the JDK's source launcher, Debian's jars on the class path:
// java -cp /usr/share/java/rome.jar:/usr/share/java/rome-utils.jar:... Read.java URL...
import com.rometools.rome.feed.module.DCModule;
import com.rometools.rome.feed.synd.SyndCategory;
import com.rometools.rome.feed.synd.SyndContent;
import com.rometools.rome.feed.synd.SyndEnclosure;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.feed.synd.SyndLink;
import com.rometools.rome.feed.synd.SyndPerson;
import com.rometools.rome.io.SyndFeedInput;
import com.rometools.rome.io.XmlReader;
import java.net.URL;
import java.util.Date;
import java.util.List;

public class Read {
	public static void main(String[] args) throws Exception {
		for (String url : args) {
			for (boolean strict : new boolean[] {false, true}) {
				SyndFeedInput input = new SyndFeedInput();
				if (strict) {
					input.setXmlHealerOn(false);
					input.setAllowDoctypes(false);
				}
				StringBuilder out = new StringBuilder("{");
				field(out, "url", url).append(",\"strict\":").append(strict).append(',');
				// XmlReader fetches the URL and takes the encoding from
				// the answer's Content-Type and the XML declaration, as
				// ROME's readers do.
				try (XmlReader reader = new XmlReader(new URL(url))) {
					feed(out, input.build(reader));
				} catch (Exception e) {
					field(out, "error", e.toString());
				}
				System.out.println(out.append('}'));
			}
		}
	}

	static void feed(StringBuilder out, SyndFeed feed) {
		field(out, "type", feed.getFeedType()).append(',');
		field(out, "title", feed.getTitle()).append(',');
		field(out, "link", feed.getLink()).append(',');
		out.append("\"entries\":[");
		String sep = "";
		for (SyndEntry e : feed.getEntries()) {
			out.append(sep).append('{');
			sep = ",";
			field(out, "uri", e.getUri()).append(',');
			field(out, "title", e.getTitle()).append(',');
			field(out, "link", e.getLink()).append(',');
			out.append("\"links\":[");
			String s = "";
			for (SyndLink l : e.getLinks()) {
				out.append(s).append('{');
				s = ",";
				field(out, "rel", l.getRel()).append(',');
				field(out, "href", l.getHref()).append(',');
				field(out, "type", l.getType()).append(',');
				out.append("\"length\":").append(l.getLength()).append('}');
			}
			out.append("],");
			field(out, "published", date(e.getPublishedDate())).append(',');
			field(out, "updated", date(e.getUpdatedDate())).append(',');
			field(out, "author", e.getAuthor()).append(',');
			out.append("\"authors\":[");
			s = "";
			for (SyndPerson p : e.getAuthors()) {
				out.append(s).append('{');
				s = ",";
				field(out, "name", p.getName()).append(',');
				field(out, "email", p.getEmail()).append('}');
			}
			// RSS's dc:creator elements, all of them: getAuthor() gives
			// the first alone, and getAuthors() none.
			out.append("],\"creators\":[");
			s = "";
			DCModule dc = (DCModule) e.getModule(DCModule.URI);
			for (String c : dc == null ? List.<String>of() : dc.getCreators()) {
				out.append(s);
				s = ",";
				string(out, c);
			}
			out.append("],\"categories\":[");
			s = "";
			for (SyndCategory c : e.getCategories()) {
				out.append(s);
				s = ",";
				string(out, c.getName());
			}
			out.append("],\"enclosures\":[");
			s = "";
			for (SyndEnclosure enc : e.getEnclosures()) {
				out.append(s).append('{');
				s = ",";
				field(out, "url", enc.getUrl()).append(',');
				field(out, "type", enc.getType()).append(',');
				out.append("\"length\":").append(enc.getLength()).append('}');
			}
			out.append("],\"contents\":");
			contents(out, e.getContents());
			out.append(",\"description\":");
			contents(out, e.getDescription() == null ? List.of() : List.of(e.getDescription()));
			out.append('}');
		}
		out.append(']');
	}

	static String date(Date d) {
		return d == null ? null : d.toInstant().toString();
	}

	static void contents(StringBuilder out, List<SyndContent> cs) {
		out.append('[');
		String s = "";
		for (SyndContent c : cs) {
			out.append(s).append('{');
			s = ",";
			field(out, "type", c.getType()).append(',');
			field(out, "value", c.getValue()).append('}');
		}
		out.append(']');
	}

	static StringBuilder field(StringBuilder out, String name, String value) {
		string(out, name).append(':');
		return value == null ? out.append("null") : string(out, value);
	}

	static StringBuilder string(StringBuilder out, String s) {
		out.append('"');
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c == '"' || c == '\\') {
				out.append('\\').append(c);
			} else if (c < 0x20 || c > 0x7e) {
				// Every character outside printable ASCII escaped, so that
				// the output is the same whatever the locale's encoding.
				out.append(String.format("\\u%04x", (int) c));
			} else {
				out.append(c);
			}
		}
		return out.append('"');
	}
}
