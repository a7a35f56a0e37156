package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// stateIDs records the settings the index's ids were made with.
const stateIDs = "id-settings"

// IDSettings are the settings the articles' and feeds' ids are made of:
// tag:HOST,DATE:slug, the date in the site's zone. Changing either gives
// every article and feed a new id, and readers see every article again as
// new. (Ports, paths and the feeds' address change URLs, not ids.)
type IDSettings struct {
	Host     string `json:"host"`
	Timezone string `json:"timezone"`
}

func (s IDSettings) String() string {
	return fmt.Sprintf("host %s, time zone %s", s.Host, s.Timezone)
}

// IDSettings returns the settings the configuration makes ids with.
func (p *Pipeline) IDSettings() IDSettings {
	return IDSettings{Host: strings.ToLower(p.Config.BaseURL().Hostname()), Timezone: p.Config.Location().String()}
}

// IDChange says that the index was built with other id settings than
// the configuration's.
type IDChange struct {
	Built, Now IDSettings
}

func (c *IDChange) Error() string {
	return "pipeline: the site was built with other ids: this configuration has " + c.Differences() +
		", which gives every article and feed a new id (readers would see every article again as new)"
}

// Differences says what changed: "site.base_url's host 127.0.0.1 (it was
// news.example.org)", and the zone.
func (c *IDChange) Differences() string {
	var diffs []string
	if c.Built.Host != c.Now.Host {
		diffs = append(diffs, fmt.Sprintf("site.base_url's host %s (it was %s)", c.Now.Host, c.Built.Host))
	}
	if c.Built.Timezone != c.Now.Timezone {
		diffs = append(diffs, fmt.Sprintf("site.timezone %s (it was %s)", c.Now.Timezone, c.Built.Timezone))
	}
	return strings.Join(diffs, " and ")
}

// IDsChange compares the configuration's id settings with the ones the
// index was last built with: it returns nil when they match, or when the
// index records none (a new index, or one built before they were recorded).
func (p *Pipeline) IDsChange(ctx context.Context) (*IDChange, error) {
	v, err := p.Index.State(ctx, stateIDs)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if v == "" {
		return nil, nil
	}
	var built IDSettings
	if err := json.Unmarshal([]byte(v), &built); err != nil {
		return nil, fmt.Errorf("pipeline: state %s: %w", stateIDs, err)
	}
	if now := p.IDSettings(); now != built {
		return &IDChange{Built: built, Now: now}, nil
	}
	return nil, nil
}

// recordIDs records the configuration's id settings as the index's.
func (p *Pipeline) recordIDs(ctx context.Context) error {
	data, _ := json.Marshal(p.IDSettings()) // two strings: cannot fail
	v, err := p.Index.State(ctx, stateIDs)
	if err != nil || v == string(data) {
		return err
	}
	return p.Index.SetState(ctx, stateIDs, string(data))
}
