package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/httpstate/httpstate/session"
)

// minKeyPrefix is the shortest ID-hash prefix the sessions commands accept:
// 8 base64url characters, 48 bits, so a prefix is rarely ambiguous.
const minKeyPrefix = 8

// hiddenAttrs are attributes whose values "sessions show" never prints
// (secrets the app keeps in the session).
var hiddenAttrs = map[string]bool{"csrf.secret": true}

// errNoSession reports an ID-hash prefix that matches no live session.
var errNoSession = errors.New("no such session")

// sessionsOptions are the flags of "httpstate sessions" and what its tests
// replace: the clock (shown times, and the store's expiry judgement).
type sessionsOptions struct {
	store   string
	json    bool
	user    string // revoke --user
	now     func() time.Time
	streams *Streams
	// wrapStore, when set, wraps the opened store (tests inject races).
	wrapStore func(session.Store) session.Store
}

func newSessionsCmd(s *Streams) *cobra.Command {
	return newSessionsCmdWith(s, &sessionsOptions{now: time.Now})
}

func newSessionsCmdWith(s *Streams, o *sessionsOptions) *cobra.Command {
	o.streams = s
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "Inspect and revoke the sessions in a store",
		Long: `Inspect and revoke the sessions kept in a session store.

Sessions are named by their ID hash: the store key, base64url(SHA-256(ID)),
which the dashboard, the logs and these commands show instead of the ID
itself. Any unique prefix of at least 8 characters names a session.

bbolt lets one process open a file at a time: to administer a bolt: store,
stop "httpstate serve" first (the command fails after a second otherwise).
A redis:// store can be administered while servers run. A memory: store
lives inside the process serving it and cannot be administered.

A Redis password is best given in $HTTPSTATE_REDIS_PASSWORD rather than in
the --store URL, which ps shows to every user of the machine.

Exit status: 0 on success (including "revoke --user" of a user without
sessions: revoked 0); 1 on any error, with one line on stderr: a bad
command line, an ID hash no live session has, a store that cannot be
opened (a locked bbolt file after a second, a Redis that does not answer
within 5 seconds).`,
		Example: `  httpstate sessions list
  httpstate sessions --store redis://127.0.0.1:6379/0 list --json
  httpstate sessions list --user alice
  httpstate sessions show Xq3v9ZkT
  httpstate sessions revoke Xq3v9ZkT
  httpstate sessions revoke -- -ckxtHf8     # an ID hash starting with "-"
  httpstate sessions revoke --user alice
  httpstate sessions stats`,
		// Without these, cobra answers a mistyped subcommand with the help
		// and status 0: "sessions revok KEY" in a script would "succeed".
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.store, "store", defaultStoreURL, storeURLHelp)
	pf.BoolVar(&o.json, "json", false, "print JSON instead of a table")

	list := &cobra.Command{
		Use:   "list [--user NAME]",
		Short: "List the live sessions, most recently used first",
		Long: `List the live sessions, most recently used first: on a terminal a table
(with the count on stderr), otherwise one tab-separated line per session
(ID hash, user, created, last access, expiry, size in bytes), or JSON with
--json. --user lists one user's sessions only, the ones "revoke --user"
would end.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withManager(cmd.Context(), func(ctx context.Context, m *session.Manager, _ session.Store) error {
				return runSessionsList(ctx, o, m)
			})
		},
	}
	show := &cobra.Command{
		Use:   "show ID-HASH",
		Short: "Show one session and its attributes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withManager(cmd.Context(), func(ctx context.Context, m *session.Manager, st session.Store) error {
				return runSessionsShow(ctx, o, m, st, args[0])
			})
		},
	}
	list.Flags().StringVar(&o.user, "user", "", "list only the sessions of user `NAME`")
	revoke := &cobra.Command{
		Use:   "revoke ID-HASH | revoke --user NAME",
		Short: "Delete one session, or every session of a user",
		Args: func(cmd *cobra.Command, args []string) error {
			if o.user != "" && len(args) > 0 || o.user == "" && len(args) != 1 {
				return errors.New("revoke takes either one ID-HASH or --user NAME")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withManager(cmd.Context(), func(ctx context.Context, m *session.Manager, _ session.Store) error {
				return runSessionsRevoke(ctx, o, m, args)
			})
		},
	}
	revoke.Flags().StringVar(&o.user, "user", "", "revoke every session of user `NAME` (log out everywhere)")
	stats := &cobra.Command{
		Use:   "stats",
		Short: "Count the sessions, by user",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withManager(cmd.Context(), func(ctx context.Context, m *session.Manager, _ session.Store) error {
				return runSessionsStats(ctx, o, m)
			})
		},
	}
	// An ID hash is base64url, so one in 64 starts with "-", which the flag
	// parser takes for a flag: say how to pass it.
	for _, c := range []*cobra.Command{show, revoke} {
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
			return fmt.Errorf("%w (an ID-HASH that starts with \"-\" goes after \"--\": %s -- -Xq3v9ZkT)", err, c.Name())
		})
	}
	cmd.AddCommand(list, show, revoke, stats)
	return cmd
}

// withManager opens the store, wraps it in a session.Manager (without a
// sweeper: administration must not expire sessions behind the server's back)
// and runs fn, closing both afterwards.
func (o *sessionsOptions) withManager(ctx context.Context, fn func(context.Context, *session.Manager, session.Store) error) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	spec, err := parseStoreURL(o.store)
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if spec.Kind == storeMemory {
		return fmt.Errorf("sessions: %w: a memory: store lives inside the process serving it; administer a bolt: or redis:// store", errStoreURL)
	}
	if spec.Kind == storeBolt {
		// Opening would create an empty file: a typo in the path would
		// then look like a store without sessions.
		// An empty file would be formatted into one.
		fi, err := os.Stat(spec.Path)
		if err != nil {
			return fmt.Errorf("sessions: %s: %w", spec, err)
		}
		if fi.Mode().IsRegular() && fi.Size() == 0 {
			return fmt.Errorf("sessions: %s: the file is empty, not a session store", spec)
		}
	}
	st, err := openStore(ctx, spec, o.now)
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if o.wrapStore != nil {
		st = o.wrapStore(st)
	}
	m, err := session.New(&session.Options{Store: st, SweepInterval: -1, Now: o.now})
	if err != nil {
		st.Close()
		return fmt.Errorf("sessions: %w", err)
	}
	defer func() {
		if cerr := errors.Join(m.Close(), st.Close()); cerr != nil && err == nil {
			err = fmt.Errorf("sessions: closing the store: %w", cerr)
		}
	}()
	if err := fn(ctx, m, st); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	return nil
}

// sessionJSON is a session in --json output.
type sessionJSON struct {
	Key        string     `json:"key"`
	Principal  string     `json:"principal"`
	Created    time.Time  `json:"created"`
	LastAccess time.Time  `json:"lastAccess"`
	Expiry     time.Time  `json:"expiry"`
	Size       int        `json:"size"`
	Attributes []attrJSON `json:"attributes,omitempty"`
}

// attrJSON is an attribute in "show --json"; Value is absent for hidden
// attributes.
type attrJSON struct {
	Name  string          `json:"name"`
	Size  int             `json:"size"`
	Value json.RawMessage `json:"value,omitempty"`
}

func toJSON(m session.Meta) sessionJSON {
	return sessionJSON{Key: m.Key, Principal: m.Principal, Created: m.Created.UTC(),
		LastAccess: m.LastAccess.UTC(), Expiry: m.Expiry.UTC(), Size: m.Size}
}

// allSessions returns every live session, or those of principal when it
// is not empty, most recently used first.
func allSessions(ctx context.Context, m *session.Manager, principal string) ([]session.Meta, error) {
	var metas []session.Meta
	var err error
	if principal != "" {
		metas, err = m.ByPrincipal(ctx, principal)
	} else {
		err = m.Iterate(ctx, func(meta session.Meta) bool {
			metas = append(metas, meta)
			return true
		})
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(metas, func(i, j int) bool {
		if !metas[i].LastAccess.Equal(metas[j].LastAccess) {
			return metas[i].LastAccess.After(metas[j].LastAccess)
		}
		return metas[i].Key < metas[j].Key
	})
	return metas, nil
}

// resolveKey finds the one live session whose store key starts with prefix.
func resolveKey(ctx context.Context, m *session.Manager, prefix string) (session.Meta, error) {
	if len(prefix) < minKeyPrefix {
		return session.Meta{}, fmt.Errorf("ID-hash prefix %q is too short: give at least %d characters", prefix, minKeyPrefix)
	}
	var found []session.Meta
	err := m.Iterate(ctx, func(meta session.Meta) bool {
		if strings.HasPrefix(meta.Key, prefix) {
			found = append(found, meta)
		}
		return len(found) < 2
	})
	switch {
	case err != nil:
		return session.Meta{}, err
	case len(found) == 0:
		// The argument may be a session ID pasted by mistake: show only
		// as much as a table shows of a hash.
		return session.Meta{}, fmt.Errorf("%w: no live session's ID hash starts with %s", errNoSession, shownPrefix(prefix))
	case len(found) > 1:
		return session.Meta{}, fmt.Errorf("ID-hash prefix %s is ambiguous: give more characters", shownPrefix(prefix))
	}
	return found[0], nil
}

func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONList writes metas as writeJSONTo writes a []sessionJSON, one
// session at a time through a buffered writer, so that a large store's
// list costs its metadata and not a second, encoded copy.
func writeJSONList(w io.Writer, metas []session.Meta) error {
	if len(metas) == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("[\n")
	for i, meta := range metas {
		b, err := json.MarshalIndent(toJSON(meta), "  ", "  ")
		if err != nil {
			return err
		}
		bw.WriteString("  ")
		bw.Write(b)
		if i < len(metas)-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

func runSessionsList(ctx context.Context, o *sessionsOptions, m *session.Manager) error {
	metas, err := allSessions(ctx, m, o.user)
	if err != nil {
		return err
	}
	out := o.streams.Out
	if o.json {
		return writeJSONList(out, metas)
	}
	if !o.streams.OutTTY {
		// Plain, stable and complete for scripts: tab-separated, full keys,
		// RFC 3339 times, no header. A write error (a full disk) fails the
		// command: a script must not take a cut list for the whole.
		bw := bufio.NewWriter(out)
		for _, meta := range metas {
			fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%s\t%d\n", quoteUnprintable(meta.Key), quoteUnprintable(meta.Principal),
				rfc3339(meta.Created), rfc3339(meta.LastAccess), rfc3339(meta.Expiry), meta.Size)
		}
		return bw.Flush()
	}
	now := o.now()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID HASH\tUSER\tCREATED\tLAST ACCESS\tEXPIRES\tSIZE")
	for _, meta := range metas {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", shortHash(meta.Key), userOrDash(meta.Principal),
			meta.Created.UTC().Format("2006-01-02 15:04:05"), relTime(meta.LastAccess, now),
			relTime(meta.Expiry, now), byteSize(meta.Size))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(o.streams.ErrOut, "%d %s\n", len(metas), plural(len(metas), "session", "sessions"))
	return nil
}

func runSessionsShow(ctx context.Context, o *sessionsOptions, m *session.Manager, st session.Store, prefix string) error {
	meta, err := resolveKey(ctx, m, prefix)
	if err != nil {
		return err
	}
	rec, found, err := st.Load(ctx, meta.Key)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: %s ended just now", errNoSession, shortHash(meta.Key))
	}
	names := make([]string, 0, len(rec.Attrs))
	for n := range rec.Attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	if o.json {
		sj := toJSON(meta)
		for _, n := range names {
			a := attrJSON{Name: n, Size: len(rec.Attrs[n])}
			if !hiddenAttrs[n] && json.Valid(rec.Attrs[n]) {
				a.Value = rec.Attrs[n]
			}
			sj.Attributes = append(sj.Attributes, a)
		}
		return writeJSONTo(o.streams.Out, sj)
	}
	now := o.now()
	tw := tabwriter.NewWriter(o.streams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "ID hash:\t%s\n", quoteUnprintable(meta.Key))
	fmt.Fprintf(tw, "User:\t%s\n", userOrDash(meta.Principal))
	fmt.Fprintf(tw, "Created:\t%s\n", rfc3339(meta.Created))
	fmt.Fprintf(tw, "Last access:\t%s (%s)\n", rfc3339(meta.LastAccess), relTime(meta.LastAccess, now))
	fmt.Fprintf(tw, "Expires:\t%s (%s)\n", rfc3339(meta.Expiry), relTime(meta.Expiry, now))
	fmt.Fprintf(tw, "Idle timeout:\t%s\n", rec.IdleTimeout)
	fmt.Fprintf(tw, "Size:\t%s\n", byteSize(meta.Size))
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(names) == 0 {
		_, err := fmt.Fprintln(o.streams.Out, "Attributes: none")
		return err
	}
	fmt.Fprintln(o.streams.Out, "Attributes:")
	tw = tabwriter.NewWriter(o.streams.Out, 0, 4, 2, ' ', 0)
	for _, n := range names {
		v := "(hidden)"
		if !hiddenAttrs[n] {
			v = displayValue(string(rec.Attrs[n]), 60)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", displayValue(n, 60), byteSize(len(rec.Attrs[n])), v)
	}
	return tw.Flush()
}

func runSessionsRevoke(ctx context.Context, o *sessionsOptions, m *session.Manager, args []string) error {
	var n int
	var what string
	if o.user != "" {
		var err error
		if n, err = m.InvalidatePrincipal(ctx, o.user); err != nil {
			return fmt.Errorf("revoked %d %s of user %s before: %w", n, plural(n, "session", "sessions"), displayValue(o.user, 60), err)
		}
		what = "user " + displayValue(o.user, 60)
	} else {
		meta, err := resolveKey(ctx, m, args[0])
		if err != nil {
			return err
		}
		ok, err := m.Revoke(ctx, meta.Key)
		if err != nil {
			return err
		}
		if !ok {
			// Ended, or renewed (a login gives a session a new ID and
			// so a new key): the user may well still be signed in.
			return fmt.Errorf("%w: %s ended or got a new ID just now: nothing revoked; list again", errNoSession, shortHash(meta.Key))
		}
		n = 1
		what = shortHash(meta.Key)
	}
	if o.json {
		return writeJSONTo(o.streams.Out, map[string]int{"revoked": n})
	}
	fmt.Fprintf(o.streams.ErrOut, "revoked %d %s (%s)\n", n, plural(n, "session", "sessions"), what)
	return nil
}

// statsJSON is the output of "sessions stats".
type statsJSON struct {
	Sessions    int            `json:"sessions"`
	Anonymous   int            `json:"anonymous"`
	Users       int            `json:"users"`
	ByUser      map[string]int `json:"byUser"`
	TotalSize   int            `json:"totalSize"`
	Oldest      *time.Time     `json:"oldest,omitempty"`
	NextExpiry  *time.Time     `json:"nextExpiry,omitempty"`
	LastAccess  *time.Time     `json:"lastAccess,omitempty"`
	LargestSize int            `json:"largestSize"`
}

func runSessionsStats(ctx context.Context, o *sessionsOptions, m *session.Manager) error {
	st := statsJSON{ByUser: map[string]int{}}
	err := m.Iterate(ctx, func(meta session.Meta) bool {
		st.Sessions++
		st.TotalSize += meta.Size
		st.LargestSize = max(st.LargestSize, meta.Size)
		if meta.Principal == "" {
			st.Anonymous++
		} else {
			st.ByUser[meta.Principal]++
		}
		st.Oldest = earlier(st.Oldest, meta.Created)
		st.NextExpiry = earlier(st.NextExpiry, meta.Expiry)
		if st.LastAccess == nil || meta.LastAccess.After(*st.LastAccess) {
			t := meta.LastAccess.UTC()
			st.LastAccess = &t
		}
		return true
	})
	if err != nil {
		return err
	}
	st.Users = len(st.ByUser)
	if o.json {
		return writeJSONTo(o.streams.Out, st)
	}
	now := o.now()
	tw := tabwriter.NewWriter(o.streams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Sessions:\t%d\n", st.Sessions)
	fmt.Fprintf(tw, "Signed in:\t%d (%d %s)\n", st.Sessions-st.Anonymous, st.Users, plural(st.Users, "user", "users"))
	fmt.Fprintf(tw, "Anonymous:\t%d\n", st.Anonymous)
	fmt.Fprintf(tw, "Total size:\t%s (largest %s)\n", byteSize(st.TotalSize), byteSize(st.LargestSize))
	if st.Oldest != nil {
		fmt.Fprintf(tw, "Oldest:\t%s (%s)\n", rfc3339(*st.Oldest), relTime(*st.Oldest, now))
		fmt.Fprintf(tw, "Last access:\t%s (%s)\n", rfc3339(*st.LastAccess), relTime(*st.LastAccess, now))
		fmt.Fprintf(tw, "Next expiry:\t%s (%s)\n", rfc3339(*st.NextExpiry), relTime(*st.NextExpiry, now))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(st.ByUser) > 0 {
		users := make([]string, 0, len(st.ByUser))
		for u := range st.ByUser {
			users = append(users, u)
		}
		sort.Slice(users, func(i, j int) bool {
			if st.ByUser[users[i]] != st.ByUser[users[j]] {
				return st.ByUser[users[i]] > st.ByUser[users[j]]
			}
			return users[i] < users[j]
		})
		fmt.Fprintln(o.streams.Out, "By user:")
		tw = tabwriter.NewWriter(o.streams.Out, 0, 4, 2, ' ', 0)
		for _, u := range users {
			fmt.Fprintf(tw, "  %s\t%d\n", displayValue(u, 60), st.ByUser[u])
		}
		return tw.Flush()
	}
	return nil
}

// earlier returns the earlier of *p and t (t when p is nil), in UTC.
func earlier(p *time.Time, t time.Time) *time.Time {
	if p != nil && !t.Before(*p) {
		return p
	}
	t = t.UTC()
	return &t
}

// shortHash is the prefix of a store key shown in tables; long enough to
// pass back to show and revoke. A key with control characters (written by
// another app sharing the store) is shown quoted.
func shortHash(key string) string {
	if len(key) > 12 {
		key = key[:12]
	}
	return quoteUnprintable(key)
}

// shownPrefix is an ID-hash prefix as an error message repeats it: quoted,
// and cut to the 12 characters a table shows, since an operator may have
// given a session ID (a cookie value) instead of its hash.
func shownPrefix(p string) string {
	if len(p) > 12 {
		return strconv.Quote(p[:12]) + "..."
	}
	return strconv.Quote(p)
}

func userOrDash(p string) string {
	if p == "" {
		return "-"
	}
	return displayValue(p, 60)
}

// displayValue makes v safe to print on a terminal, at most limit runes:
// a value with invalid UTF-8 or non-graphic characters (escape sequences
// stored by some app would otherwise reach the terminal) is shown Go-quoted,
// and a long one is cut at a rune boundary and ends in "...".
func displayValue(v string, limit int) string {
	v = quoteUnprintable(v)
	if utf8.RuneCountInString(v) <= limit {
		return v
	}
	r := []rune(v)
	return string(r[:limit-3]) + "..."
}

// quoteUnprintable returns v unchanged when it is valid UTF-8 of graphic characters
// only, and Go-quoted otherwise: no escape sequence reaches a terminal, and no
// tab or line break splits a field or a line of the plain output scripts
// read.
func quoteUnprintable(v string) string {
	if !utf8.ValidString(v) || strings.IndexFunc(v, func(r rune) bool { return !unicode.IsGraphic(r) }) >= 0 {
		return strconv.QuoteToGraphic(v)
	}
	return v
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// relTime renders t relative to now: "in 29m", "3s ago".
func relTime(t, now time.Time) string {
	d := t.Sub(now)
	past := d < 0
	if past {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	default:
		s = fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	if past {
		return s + " ago"
	}
	return "in " + s
}

func byteSize(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
