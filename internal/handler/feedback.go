package handler

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	article "github.com/pressroom/pressroom/internal/article/model"
	"github.com/pressroom/pressroom/internal/feed"
)

// Notifier tells editors what happened to their uploads, in plain words:
// on AWS, an SNS topic they subscribe to by e-mail. A nil Notifier in Deps
// tells no one (the reports under the reports prefix still do).
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// Message is one piece of feedback for editors: an e-mail's subject and
// body. The ingest function sends one per rejected upload and one per
// article's first publication; the same text is written next to the
// file's JSON report, with the .txt extension.
type Message struct {
	Subject string // one line, at most MaxSubject characters
	Text    string // plain text, at most MaxText bytes once sent
}

// SNS limits (Publish): a subject is under 100 characters, without line
// breaks or control characters; a message is at most 256 KiB of UTF-8.
const (
	MaxSubject = 99
	MaxText    = 256 * 1024
)

// notifyTimeout bounds one message's delivery, retries included.
const notifyTimeout = 10 * time.Second

// notify sends m when a Notifier is set. A failure is logged, never
// returned: the article is stored and its report written, and Lambda's
// retry of the event would find it stale and send nothing. The SDK's own
// retries (throttling, 5xx, a dropped connection; within notifyTimeout)
// are the only ones; the text stays in the .txt report.
func (h *Ingest) notify(ctx context.Context, m Message, key string, log *slog.Logger) {
	if h.Deps.Notifier == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	if err := h.Deps.Notifier.Notify(ctx, m.fit()); err != nil {
		log.Error("feedback not sent", "key", key, "subject", m.Subject, "error", err.Error())
		return
	}
	log.Info("feedback sent", "key", key, "subject", m.Subject)
}

// fit cuts a message to what SNS accepts.
func (m Message) fit() Message {
	if len(m.Text) > MaxText {
		const note = "\n\n[Cut here: the whole text is in the report.]\n"
		m.Text = cutBytes(m.Text, MaxText-len(note)) + note
	}
	return m
}

// subject makes one line of s, at most MaxSubject characters.
func subject(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if utf8.RuneCountInString(s) <= MaxSubject {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:MaxSubject-1])) + "…"
}

// cutBytes cuts s to at most n bytes, on a character boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// quote puts an article's title between quotation marks, on one line.
func quote(title string) string {
	return "“" + strings.Join(strings.Fields(title), " ") + "”"
}

// rejectionMessage words a rejected upload: the file, each problem (field,
// line when known, reason), what stays published, and where the report is.
func rejectionMessage(key string, problems []Problem, stays, report string) Message {
	var b strings.Builder
	fmt.Fprintf(&b, "Rejected: %s\n\nThis upload of %s was not published.\n\n", key, key)
	if len(problems) == 1 {
		b.WriteString("Problem:\n")
	} else {
		fmt.Fprintf(&b, "Problems (%d):\n", len(problems))
	}
	for _, p := range problems {
		b.WriteString("- ")
		switch {
		case p.Field != "" && p.Line > 0:
			fmt.Fprintf(&b, "%s, line %d: ", p.Field, p.Line)
		case p.Field != "":
			b.WriteString(p.Field + ": ")
		case p.Line > 0:
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		b.WriteString(strings.Join(strings.Fields(p.Message), " "))
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n%s\n\nCorrect the file and upload it again. This report is also in %s.\n", stays, report)
	return Message{Subject: subject("Rejected: " + key), Text: b.String()}
}

// keptText says what stays published after a rejection: kept is the
// version the index keeps in place of the rejected one.
func keptText(kept *article.Article, now time.Time) string {
	if kept == nil {
		return "Nothing is published for this file."
	}
	switch kept.StatusAt(now) {
	case article.StatusDraft:
		return "The last good version stays, as a draft: nothing is published for this file."
	case article.StatusExpired:
		return "The last good version has expired: nothing is published for this file."
	case article.StatusScheduled:
		return fmt.Sprintf("The last good version stays, scheduled for %s: %s.", when(kept.Published), quote(kept.Title))
	}
	return "The last good version stays published: " + quote(kept.Title) + "."
}

func when(t time.Time) string { return t.Format("2006-01-02 15:04 -07:00") }

// feedLink is one feed an article is in: its name for editors and its
// files' URLs.
type feedLink struct {
	Label string
	URLs  []string // "RSS: https://..." and so on
}

var formatNames = map[string]string{feed.RSSFile: "RSS", feed.AtomFile: "Atom", feed.JSONFile: "JSON Feed"}

// feedLinks lists the feeds a good article is in, as feed.Memberships
// places it, with the URLs the publish function writes them at.
func feedLinks(a *article.Article, site feed.Site) []feedLink {
	var out []feedLink
	for _, ref := range feed.Memberships(a, site) {
		files := []string{feed.RSSFile, feed.AtomFile, feed.JSONFile}
		label := ref.Label
		switch feed.Family(ref.ID) {
		case "":
			label = "All articles of " + site.Title
		case "categories":
			label = "Category " + ref.Label
		case "tags":
			label = "Tag " + ref.Label
		case "authors":
			label = "Author " + ref.Label
		case "languages":
			label = "Language " + ref.Label
		case feed.PartnersFamily:
			label = "Partner " + ref.Label + " (closed: partners read it with their key)"
			for _, pt := range site.Partners {
				if feed.PartnersFamily+"/"+pt.Name == ref.ID && len(pt.Formats) > 0 {
					files = pt.Formats
				}
			}
		}
		l := feedLink{Label: label}
		for _, f := range files {
			name := formatNames[f]
			if name == "" {
				name = f
			}
			p := f
			if ref.ID != "" {
				p = ref.ID + "/" + f
			}
			l.URLs = append(l.URLs, name+": "+feed.URL(site.FeedsURL, p))
		}
		out = append(out, l)
	}
	return out
}

// publicationMessage words a good upload: first says it is the article's
// first publication (the message editors are sent); otherwise the text is
// the report of an edit, a draft or an expired article.
func publicationMessage(key string, a *article.Article, site feed.Site, first bool, report string, at time.Time) Message {
	var b strings.Builder
	title := quote(a.Title)
	status := a.StatusAt(at)
	var head, intro string
	switch {
	case status == article.StatusDraft:
		head, intro = "Draft", fmt.Sprintf("%s (%s) is a draft: it is in no feed until it is no longer marked as one.", title, key)
	case status == article.StatusExpired:
		head, intro = "Expired", fmt.Sprintf("%s (%s) expired on %s: it is in no feed.", title, key, when(a.Expires))
	case status == article.StatusScheduled && first:
		head, intro = "Scheduled", fmt.Sprintf("%s (%s) is scheduled: on %s it enters these feeds:", title, key, when(a.Published))
	case status == article.StatusScheduled:
		head, intro = "Updated", fmt.Sprintf("%s (%s) is updated; it is scheduled for %s, in these feeds:", title, key, when(a.Published))
	case first:
		head, intro = "Published", fmt.Sprintf("%s (%s) is published. It entered these feeds:", title, key)
	default:
		head, intro = "Updated", fmt.Sprintf("%s (%s) is updated, in these feeds:", title, key)
	}
	fmt.Fprintf(&b, "%s: %s\n\n%s\n", head, title, intro)
	if status == article.StatusPublished || status == article.StatusScheduled {
		for _, l := range feedLinks(a, site) {
			fmt.Fprintf(&b, "\n%s\n", l.Label)
			for _, u := range l.URLs {
				fmt.Fprintf(&b, "  %s\n", u)
			}
		}
	}
	fmt.Fprintf(&b, "\nArticle: %s\n", a.URL)
	if len(a.Warnings) > 0 {
		// What the article fell back on: published, but worth a look.
		b.WriteString("\nWarnings:\n")
		for _, w := range a.Warnings {
			if w.Line > 0 {
				fmt.Fprintf(&b, "  - %s (line %d): %s\n", w.Field, w.Line, w.Message)
			} else {
				fmt.Fprintf(&b, "  - %s: %s\n", w.Field, w.Message)
			}
		}
	}
	fmt.Fprintf(&b, "\nThis report is also in %s.\n", report)
	return Message{Subject: subject(head + ": " + a.Title), Text: b.String()}
}
