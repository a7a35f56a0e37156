package feed_test

import (
	"time"

	"github.com/pressroom/pressroom/internal/article"
	"github.com/pressroom/pressroom/internal/feed"
)

// goldenArticles are the articles the golden feeds are rendered from,
// written here as the index returns them (newest first) rather than parsed
// from ../article/testdata, so that a parser change leaves the goldens
// alone. Between them they carry what reaches a feed: Arabic (right to
// left, in two locales), French and English; HTML with entities and a raw
// "]]>" that must not end a CDATA section; markup in a title and a
// summary; several authors and agency credits; categories and tags; JPEG
// and PNG images; an edit, a correction and unchanged items; an item with
// no summary, author, category or tag; ids of every shape (tag:, urn:uuid:,
// a CMS's URL); dates in several offsets.
func goldenArticles() []article.Article {
	casablanca := time.FixedZone("", 3600)
	newYork := time.FixedZone("", -5*3600)
	at := func(zone *time.Location, month time.Month, day, hour, min int) time.Time {
		return time.Date(2026, month, day, hour, min, 0, 0, zone)
	}
	return []article.Article{
		{
			ID:    "tag:news.example.org,2026-03-02:tramway-casablanca",
			Slug:  "tramway-casablanca",
			Title: "افتتاح الخط الرابع للترامواي في الدار البيضاء",
			URL:   "https://news.example.org/tramway-casablanca/",
			Summary: "افتتح صباح اليوم الخط الرابع للترامواي في الدار البيضاء، " +
				"ويربط وسط المدينة بالأحياء الشرقية في أقل من نصف ساعة.",
			ContentHTML: "<p>افتتح صباح اليوم الخط الرابع للترامواي في الدار البيضاء، ويربط وسط المدينة بالأحياء الشرقية في أقل من نصف ساعة.</p>\n" +
				"<h2>أرقام الخط</h2>\n<ul>\n<li>الطول: 14 كيلومترا</li>\n<li>عدد المحطات: 20</li>\n</ul>\n" +
				"<p dir=\"ltr\">&#34;A line for the whole city,&#34; the mayor told reporters.</p>\n" +
				"<p>للمزيد: <a href=\"https://www.example.ma/tram?ligne=4&amp;lang=ar\">موقع شركة الترامواي</a></p>",
			Published:   at(casablanca, time.March, 2, 9, 45),
			Updated:     at(casablanca, time.March, 2, 11, 20),
			UpdatedFrom: article.UpdatedFromContent,
			Lang:        "ar-MA",
			Dir:         "rtl",
			Authors:     []string{"كريم الناصري", "ليلى حسن"},
			Credits:     []string{"MAP"},
			Categories:  []string{"مجتمع"},
			Tags:        []string{"النقل", "الدار البيضاء & ضواحيها"},
			Image:       "https://news.example.org/media/tramway.jpg",
			Words:       48,
		},
		{
			ID:     "urn:uuid:5f0c2b1e-8d4a-4e6b-9a37-2c1d0e9f7a64",
			IDFrom: article.IDFromFile,
			Slug:   "greve-dockers-marseille",
			Title:  "Grève des dockers : le port de Marseille tourne au ralenti",
			URL:    "https://news.example.org/greve-dockers-marseille/",
			Summary: "Quatorze navires attendent au large ; la reprise n'est pas " +
				"attendue avant lundi.",
			ContentHTML: "<p>« Nous irons jusqu&#39;au bout », a déclaré jeudi le secrétaire général du syndicat des dockers.</p>\n" +
				"<p>Quatorze navires attendent au large ; la reprise n&#39;est pas attendue <em>avant lundi</em>.</p>\n" +
				"<p>L&#39;état du trafic est publié <a href=\"https://www.example.fr/port?bassin=est&amp;jour=jeudi\">sur le site du port</a>.</p>",
			Published:   at(casablanca, time.March, 1, 8, 30),
			Updated:     at(casablanca, time.March, 1, 15, 5),
			UpdatedFrom: article.UpdatedFromContent,
			Correction:  "Une version précédente donnait quarante navires en attente ; ils sont quatorze.",
			Lang:        "fr",
			Dir:         "ltr",
			Authors:     []string{"Claire Martin"},
			Credits:     []string{"AFP"},
			Categories:  []string{"Économie"},
			Tags:        []string{"grève", "transport maritime"},
			Image:       "https://news.example.org/media/port-marseille.png",
			Words:       52,
		},
		{
			ID:          "tag:news.example.org,2026-02-28:harbour-festival-lineup",
			Slug:        "harbour-festival-lineup",
			Title:       "Harbour festival announces its summer lineup",
			URL:         "https://news.example.org/harbour-festival-lineup/",
			Summary:     "Forty bands over three days, and free entry on the Sunday.",
			ContentHTML: "<p>Forty bands will play over three days in July, and entry on the Sunday will be free.</p>\n<p>Tickets go on sale on Monday.</p>",
			Published:   at(time.UTC, time.February, 28, 12, 0),
			Updated:     at(time.UTC, time.February, 28, 12, 0),
			Lang:        "en-GB",
			Dir:         "ltr",
			Authors:     []string{"Jane Doe", "Samuel Okafor", "Ann Lee"},
			Credits:     []string{"AP", "Reuters"},
			Categories:  []string{"Culture"},
			Tags:        []string{"Culture", "music"},
			Words:       27,
		},
		{
			ID:    "https://news.example.org/?p=4021",
			Slug:  "markup-in-headlines",
			Title: `Why <script> & "quotes" ]]> in a headline are harmless`,
			URL:   "https://news.example.org/?p=4021",
			Summary: `A headline may hold <, & and "]]>": ` +
				"every format escapes them.",
			ContentHTML: "<p>The sequence ]]> ends a CDATA section, so a feed that writes content as CDATA must split it, even twice in a row: ]]>]]>.</p>\n" +
				"<p>Entities stay as written (&lt;script&gt;, &amp;amp;, &#34;quoted&#34;), characters as they are (café, 😀).</p>\n" +
				"<pre><code>if a[b[0]]>c &amp;&amp; d &lt; e {}</code></pre>",
			Published: at(newYork, time.February, 27, 16, 0),
			Updated:   at(newYork, time.February, 27, 16, 0),
			Lang:      "en",
			Dir:       "ltr",
			Tags:      []string{"Culture", "web"},
			Words:     41,
		},
		{
			ID:          "tag:news.example.org,2026-02-26:bayan",
			Slug:        "bayan",
			Title:       "بيان مقتضب",
			URL:         "https://news.example.org/bayan/",
			ContentHTML: "<p>نص البيان كما ورد.</p>",
			Published:   at(time.UTC, time.February, 26, 12, 0),
			Updated:     at(time.UTC, time.February, 26, 12, 0),
			Lang:        "ar",
			Dir:         "rtl",
			Words:       4,
		},
	}
}

// goldenDeletions are the deletions the Culture tag's live feed announces
// (RFC 6721), newest first as the pipeline lists them: an article deleted
// after the feed's newest update (so the feed's date is the deletion's),
// with the address it had, and an older one, French and so also in
// goldenPartner's feed, recorded without an address.
func goldenDeletions() []feed.Deleted {
	return []feed.Deleted{
		{
			ID:  "tag:news.example.org,2026-02-20:festival-ticket-prices",
			URL: "https://news.example.org/festival-ticket-prices/",
			At:  time.Date(2026, time.March, 2, 18, 30, 0, 0, time.UTC),
		},
		{
			ID: "urn:uuid:9b2e4c1a-0f3d-4e8b-a6c5-7d1e2f3a4b5c",
			At: time.Date(2026, time.February, 27, 7, 15, 0, 0, time.UTC),
		},
	}
}

// goldenPartner is a partner taking the Arabic and French articles in
// brief (their summary, or a link when they have none, instead of their
// content), as Atom and JSON Feed only.
func goldenPartner() feed.Partner {
	return feed.Partner{Name: "maghreb-desk", Languages: []string{"ar", "fr"}, Formats: []string{feed.AtomFile, feed.JSONFile}}
}
