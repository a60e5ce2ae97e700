package storetest

import (
	"time"

	"github.com/codexforgo/codex/store"
	"github.com/google/uuid"
)

func mediaIDs(l store.List[store.MediaItem]) []string {
	return ids(l.Items, func(m store.MediaItem) string { return m.ID.String() })
}

func contentIDs(l store.List[store.Content]) []string {
	return ids(l.Items, func(c store.Content) string { return c.ID.String() })
}

// readyVideo is the patch a finished transcode writes.
func readyVideo() store.MediaPatch {
	return store.MediaPatch{
		Status:               store.Some(store.MediaReady),
		HLSMasterPlaylistKey: store.Some(ptr("c/hls/m/master.m3u8")),
		ThumbnailKey:         store.Some(ptr("c/thumbnails/m/auto-generated.jpg")),
		DurationSeconds:      store.Some(ptr(120)),
		ReadyVariants:        store.Some([]string{"1080p", "720p"}),
	}
}

var mediaCases = []testCase{
	{"CreateGet", func(f *fx) {
		c := f.user()
		m := f.mediaRec(c.ID, func(m *store.MediaItem) { m.FileSizeBytes = ptr(int64(5 << 30)); m.MimeType = ptr("video/mp4") })
		f.is.NoErr(f.s.Media().Create(f.ctx, m))
		f.is.True(m.ID != uuid.Nil)
		f.stamped(m.CreatedAt, m.UpdatedAt)
		f.is.Equal(m.ReadyVariants, nil) // NULL stays NULL

		got, err := f.s.Media().Get(f.ctx, m.ID)
		f.is.NoErr(err)
		f.is.Equal(got, m)
		_, err = f.s.Media().Get(f.ctx, uuid.New())
		f.notFound(err)
		_, err = f.s.Media().GetIncludingDeleted(f.ctx, uuid.New())
		f.notFound(err)
	}},
	{"Checks", func(f *fx) {
		c := f.user()
		err := f.s.Media().Create(f.ctx, f.mediaRec(c.ID, func(m *store.MediaItem) { m.TranscodingAttempts = 4 }))
		f.violates(err, store.Check, "check_max_transcoding_attempts")
		err = f.s.Media().Create(f.ctx, f.mediaRec(c.ID, func(m *store.MediaItem) { m.TranscodingPriority = 5 }))
		f.violates(err, store.Check, "check_transcoding_priority")
		err = f.s.Media().Create(f.ctx, f.mediaRec(c.ID, func(m *store.MediaItem) { m.MediaType = "image" }))
		f.violates(err, store.Check, "")
		err = f.s.Media().Create(f.ctx, f.mediaRec(c.ID, func(m *store.MediaItem) { m.Status = "lost" }))
		f.violates(err, store.Check, "")
		err = f.s.Media().Create(f.ctx, f.mediaRec("missing"))
		f.violates(err, store.ForeignKey, "")

		m := f.media(c.ID, func(m *store.MediaItem) { m.Status = store.MediaTranscoding })
		noThumb := readyVideo()
		noThumb.ThumbnailKey = store.Opt[*string]{}
		_, err = f.s.Media().Update(f.ctx, m.ID, noThumb)
		f.violates(err, store.Check, store.ConstraintMediaReady)
		noDuration := readyVideo()
		noDuration.DurationSeconds = store.Opt[*int]{}
		_, err = f.s.Media().Update(f.ctx, m.ID, noDuration)
		f.violates(err, store.Check, store.ConstraintMediaReady)
		_, err = f.s.Media().Update(f.ctx, m.ID, store.MediaPatch{TranscodingAttempts: store.Some(-1)})
		f.violates(err, store.Check, "check_max_transcoding_attempts")
		got, err := f.s.Media().Get(f.ctx, m.ID) // failed updates change nothing
		f.is.NoErr(err)
		f.is.Equal(got, m)

		// audio needs a waveform instead of a thumbnail
		a := f.media(c.ID, func(m *store.MediaItem) { m.MediaType = store.MediaAudio })
		_, err = f.s.Media().Update(f.ctx, a.ID, readyVideo())
		f.violates(err, store.Check, store.ConstraintMediaReady)
		err = f.s.Media().Create(f.ctx, f.mediaRec(c.ID, func(m *store.MediaItem) {
			m.MediaType, m.Status = store.MediaAudio, store.MediaReady
			m.HLSMasterPlaylistKey, m.DurationSeconds, m.WaveformKey = ptr("k"), ptr(3), ptr("w.json")
		}))
		f.is.NoErr(err)
	}},
	{"Update", func(f *fx) {
		c := f.user()
		m := f.media(c.ID, func(m *store.MediaItem) {
			m.Description = ptr("d")
			m.Status = store.MediaTranscoding
			m.RunpodJobID = ptr("job-1")
		})
		tick()
		got, err := f.s.Media().Update(f.ctx, m.ID, readyVideo())
		f.is.NoErr(err)
		f.is.Equal(got.Status, store.MediaReady)
		f.is.Equal(got.ReadyVariants, []string{"1080p", "720p"})
		f.is.Equal(*got.Description, "d")
		f.is.Equal(*got.RunpodJobID, "job-1")
		f.later(got.UpdatedAt, m.UpdatedAt)

		up := time.Now()
		got, err = f.s.Media().Update(f.ctx, m.ID, store.MediaPatch{
			Description: store.Some[*string](nil), RunpodJobID: store.Some[*string](nil),
			ReadyVariants: store.Some([]string{}), UploadedAt: store.Some(&up), Title: store.Some("renamed"),
		})
		f.is.NoErr(err)
		f.is.Equal(got.Description, nil)
		f.is.Equal(got.RunpodJobID, nil)
		f.is.Equal(got.ReadyVariants, []string{})
		f.is.True(got.UploadedAt.Equal(up.Truncate(time.Microsecond)))
		f.stamped(*got.UploadedAt)
		f.is.Equal(got.Title, "renamed")

		again, err := f.s.Media().Get(f.ctx, m.ID)
		f.is.NoErr(err)
		f.is.Equal(again, got)

		tick()
		empty, err := f.s.Media().Update(f.ctx, m.ID, store.MediaPatch{})
		f.is.NoErr(err)
		f.later(empty.UpdatedAt, got.UpdatedAt)
		_, err = f.s.Media().Update(f.ctx, uuid.New(), store.MediaPatch{})
		f.notFound(err)
	}},
	{"IfStatus", func(f *fx) {
		c := f.user()
		m := f.media(c.ID)
		_, err := f.s.Media().Update(f.ctx, m.ID, store.MediaPatch{IfStatus: []store.MediaStatus{store.MediaUploaded, store.MediaFailed}, Status: store.Some(store.MediaTranscoding)})
		f.precondition(err)
		got, err := f.s.Media().Get(f.ctx, m.ID)
		f.is.NoErr(err)
		f.is.Equal(got.Status, store.MediaUploading)

		got, err = f.s.Media().Update(f.ctx, m.ID, store.MediaPatch{IfStatus: []store.MediaStatus{store.MediaUploading}, Status: store.Some(store.MediaUploaded)})
		f.is.NoErr(err)
		f.is.Equal(got.Status, store.MediaUploaded)

		_, err = f.s.Media().Update(f.ctx, uuid.New(), store.MediaPatch{IfStatus: []store.MediaStatus{store.MediaUploading}})
		f.notFound(err) // a missing row is not a precondition failure
	}},
	{"SoftDelete", func(f *fx) {
		c := f.user()
		m := f.media(c.ID, func(m *store.MediaItem) { m.RunpodJobID = ptr("job-x") })
		f.is.NoErr(f.s.Media().SoftDelete(f.ctx, m.ID))
		_, err := f.s.Media().Get(f.ctx, m.ID)
		f.notFound(err)
		_, err = f.s.Media().GetByJobID(f.ctx, "job-x")
		f.notFound(err)
		_, err = f.s.Media().Update(f.ctx, m.ID, store.MediaPatch{})
		f.notFound(err)
		f.notFound(f.s.Media().SoftDelete(f.ctx, m.ID))

		got, err := f.s.Media().GetIncludingDeleted(f.ctx, m.ID)
		f.is.NoErr(err)
		f.is.True(got.DeletedAt != nil)
		f.stamped(*got.DeletedAt)
		f.is.True(!got.UpdatedAt.Before(*got.DeletedAt))

		l, err := f.s.Media().List(f.ctx, store.MediaFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 0)
		byStatus, err := f.s.Media().ListByStatus(f.ctx, store.MediaUploading)
		f.is.NoErr(err)
		f.is.Equal(len(byStatus), 0)

		// content may still point at deleted media
		f.content(c.ID, nil, func(ct *store.Content) { ct.MediaItemID = &m.ID; ct.ContentType = store.ContentVideo })
	}},
	{"GetByJobIDAndListByStatus", func(f *fx) {
		c := f.user()
		a := f.media(c.ID, func(m *store.MediaItem) { m.Status = store.MediaTranscoding; m.RunpodJobID = ptr("job-a") })
		tick()
		f.media(c.ID, func(m *store.MediaItem) { m.Status = store.MediaUploaded })
		tick()
		b := f.media(c.ID, func(m *store.MediaItem) { m.Status = store.MediaTranscoding })

		got, err := f.s.Media().GetByJobID(f.ctx, "job-a")
		f.is.NoErr(err)
		f.is.Equal(got.ID, a.ID)
		_, err = f.s.Media().GetByJobID(f.ctx, "job-none")
		f.notFound(err)

		list, err := f.s.Media().ListByStatus(f.ctx, store.MediaTranscoding)
		f.is.NoErr(err)
		f.is.Equal(ids(list, func(m store.MediaItem) string { return m.ID.String() }), uuidStrings(a.ID, b.ID))
	}},
	{"List", func(f *fx) {
		c, other := f.user(), f.user()
		t0 := time.Now().Add(-time.Hour)
		m1 := f.media(c.ID, func(m *store.MediaItem) { m.Title = "bravo"; m.UploadedAt = ptr(t0) })
		tick()
		m2 := f.media(c.ID, func(m *store.MediaItem) { m.Title = "alpha"; m.MediaType = store.MediaAudio })
		tick()
		m3 := f.media(c.ID, func(m *store.MediaItem) {
			m.Title = "charlie"
			m.UploadedAt = ptr(t0.Add(time.Minute))
			m.Status = store.MediaFailed
		})
		f.media(other.ID)

		l, err := f.s.Media().List(f.ctx, store.MediaFilter{CreatorID: c.ID}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 3)
		f.is.Equal(mediaIDs(l), uuidStrings(m3.ID, m2.ID, m1.ID))

		l, err = f.s.Media().List(f.ctx, store.MediaFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 4) // no creator = everyone's

		l, err = f.s.Media().List(f.ctx, store.MediaFilter{CreatorID: c.ID, SortBy: "title", Order: store.Asc}, store.Page{Limit: 2})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 3)
		f.is.Equal(mediaIDs(l), uuidStrings(m2.ID, m1.ID))

		// NULLs last in both directions
		l, err = f.s.Media().List(f.ctx, store.MediaFilter{CreatorID: c.ID, SortBy: "uploadedAt", Order: store.Asc}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(mediaIDs(l), uuidStrings(m1.ID, m3.ID, m2.ID))
		l, err = f.s.Media().List(f.ctx, store.MediaFilter{CreatorID: c.ID, SortBy: "uploadedAt", Order: store.Desc}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(mediaIDs(l), uuidStrings(m3.ID, m1.ID, m2.ID))

		l, err = f.s.Media().List(f.ctx, store.MediaFilter{CreatorID: c.ID, Status: store.MediaFailed}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(mediaIDs(l), uuidStrings(m3.ID))
		l, err = f.s.Media().List(f.ctx, store.MediaFilter{CreatorID: c.ID, MediaType: store.MediaAudio}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(mediaIDs(l), uuidStrings(m2.ID))
	}},
	{"NoAliasing", func(f *fx) {
		c := f.user()
		m := f.media(c.ID, func(m *store.MediaItem) { m.Status = store.MediaTranscoding })
		p := readyVideo()
		got, err := f.s.Media().Update(f.ctx, m.ID, p)
		f.is.NoErr(err)
		p.ReadyVariants.Value[0] = "changed-in-patch"
		got.ReadyVariants[1] = "changed-in-result"
		*got.DurationSeconds = 1
		again, err := f.s.Media().Get(f.ctx, m.ID)
		f.is.NoErr(err)
		f.is.Equal(again.ReadyVariants, []string{"1080p", "720p"})
		f.is.Equal(*again.DurationSeconds, 120)
	}},
}

var contentCases = []testCase{
	{"CreateGet", func(f *fx) {
		w := f.world()
		m := f.media(w.creator.ID)
		c := f.contentRec(w.creator.ID, &w.org.ID, func(c *store.Content) {
			c.MediaItemID, c.ContentType, c.PriceCents, c.Category = &m.ID, store.ContentVideo, ptr(999), ptr("music")
		})
		f.is.NoErr(f.s.Content().Create(f.ctx, c))
		f.is.True(c.ID != uuid.Nil)
		f.stamped(c.CreatedAt, c.UpdatedAt)
		f.is.True(c.Tags != nil) // nil tags are stored as []
		f.is.Equal(len(c.Tags), 0)

		got, err := f.s.Content().Get(f.ctx, c.ID)
		f.is.NoErr(err)
		f.is.Equal(got, c)
		_, err = f.s.Content().Get(f.ctx, uuid.New())
		f.notFound(err)

		tagged := f.content(w.creator.ID, nil, func(c *store.Content) { c.Tags = []string{"a", "b"} })
		got, err = f.s.Content().Get(f.ctx, tagged.ID)
		f.is.NoErr(err)
		f.is.Equal(got.Tags, []string{"a", "b"})
	}},
	{"SlugPerOrg", func(f *fx) {
		w := f.world()
		o2 := f.org()
		first := f.content(w.creator.ID, &w.org.ID, func(c *store.Content) { c.Slug = "intro" })
		err := f.s.Content().Create(f.ctx, f.contentRec(f.user().ID, &w.org.ID, func(c *store.Content) { c.Slug = "intro" }))
		f.violates(err, store.Unique, store.ConstraintContentSlugOrg)
		f.content(w.creator.ID, &o2.ID, func(c *store.Content) { c.Slug = "intro" }) // other org
		f.content(w.creator.ID, nil, func(c *store.Content) { c.Slug = "intro" })    // personal

		f.is.NoErr(f.s.Content().SoftDelete(f.ctx, first.ID))
		err = f.s.Content().Create(f.ctx, f.contentRec(w.creator.ID, &w.org.ID, func(c *store.Content) { c.Slug = "intro" }))
		f.violates(err, store.Unique, store.ConstraintContentSlugOrg) // deleted rows keep their slug
	}},
	{"SlugPersonal", func(f *fx) {
		w := f.world()
		first := f.content(w.creator.ID, nil, func(c *store.Content) { c.Slug = "diary" })
		err := f.s.Content().Create(f.ctx, f.contentRec(w.creator.ID, nil, func(c *store.Content) { c.Slug = "diary" }))
		f.violates(err, store.Unique, store.ConstraintContentSlugPersonal)
		f.content(f.user().ID, nil, func(c *store.Content) { c.Slug = "diary" }) // another creator

		f.is.NoErr(f.s.Content().SoftDelete(f.ctx, first.ID))
		err = f.s.Content().Create(f.ctx, f.contentRec(w.creator.ID, nil, func(c *store.Content) { c.Slug = "diary" }))
		f.violates(err, store.Unique, store.ConstraintContentSlugPersonal)

		// moving org content to personal runs into the personal index
		inOrg := f.content(w.creator.ID, &w.org.ID, func(c *store.Content) { c.Slug = "diary" })
		_, err = f.s.Content().Update(f.ctx, inOrg.ID, store.ContentPatch{OrganizationID: store.Some[*uuid.UUID](nil)})
		f.violates(err, store.Unique, store.ConstraintContentSlugPersonal)
		other := f.content(w.creator.ID, nil)
		_, err = f.s.Content().Update(f.ctx, other.ID, store.ContentPatch{Slug: store.Some("diary")})
		f.violates(err, store.Unique, store.ConstraintContentSlugPersonal)
	}},
	{"Constraints", func(f *fx) {
		w := f.world()
		err := f.s.Content().Create(f.ctx, f.contentRec(w.creator.ID, nil, func(c *store.Content) { c.PriceCents = ptr(-1) }))
		f.violates(err, store.Check, "check_price_non_negative")
		err = f.s.Content().Create(f.ctx, f.contentRec(w.creator.ID, nil, func(c *store.Content) { c.Visibility = "secret" }))
		f.violates(err, store.Check, "")
		err = f.s.Content().Create(f.ctx, f.contentRec(w.creator.ID, nil, func(c *store.Content) { c.Status = "live" }))
		f.violates(err, store.Check, "")
		err = f.s.Content().Create(f.ctx, f.contentRec(w.creator.ID, nil, func(c *store.Content) { c.ContentType = "image" }))
		f.violates(err, store.Check, "")
		err = f.s.Content().Create(f.ctx, f.contentRec(w.creator.ID, ptr(uuid.New())))
		f.violates(err, store.ForeignKey, "")
		err = f.s.Content().Create(f.ctx, f.contentRec(w.creator.ID, nil, func(c *store.Content) { c.MediaItemID = ptr(uuid.New()) }))
		f.violates(err, store.ForeignKey, "")
		err = f.s.Content().Create(f.ctx, f.contentRec("missing", nil))
		f.violates(err, store.ForeignKey, "")
		c := f.content(w.creator.ID, nil)
		_, err = f.s.Content().Update(f.ctx, c.ID, store.ContentPatch{PriceCents: store.Some(ptr(-5))})
		f.violates(err, store.Check, "check_price_non_negative")
		_, err = f.s.Content().Update(f.ctx, c.ID, store.ContentPatch{OrganizationID: store.Some(ptr(uuid.New()))})
		f.violates(err, store.ForeignKey, "")
	}},
	{"Update", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID, func(c *store.Content) { c.Description = ptr("d"); c.PriceCents = ptr(500); c.Tags = []string{"x"} })
		tick()
		pub := time.Now()
		got, err := f.s.Content().Update(f.ctx, c.ID, store.ContentPatch{
			Title: store.Some("New"), Status: store.Some(store.ContentPublished), PublishedAt: store.Some(&pub),
			PriceCents: store.Some[*int](nil), Tags: store.Some([]string{"y", "z"}),
		})
		f.is.NoErr(err)
		f.is.Equal(got.Title, "New")
		f.is.Equal(got.Status, store.ContentPublished)
		f.is.True(got.PublishedAt.Equal(pub.Truncate(time.Microsecond)))
		f.is.Equal(got.PriceCents, nil)
		f.is.Equal(got.Tags, []string{"y", "z"})
		f.is.Equal(*got.Description, "d")
		f.is.Equal(*got.OrganizationID, w.org.ID)
		f.later(got.UpdatedAt, c.UpdatedAt)

		// the store never changes status behind the caller's back (no
		// unpublish-on-org-removal trigger; see data-model Oddity 38)
		moved, err := f.s.Content().Update(f.ctx, c.ID, store.ContentPatch{OrganizationID: store.Some[*uuid.UUID](nil)})
		f.is.NoErr(err)
		f.is.Equal(moved.OrganizationID, nil)
		f.is.Equal(moved.Status, store.ContentPublished)
		f.is.True(sameTime(moved.PublishedAt, got.PublishedAt))

		again, err := f.s.Content().Get(f.ctx, c.ID)
		f.is.NoErr(err)
		f.is.Equal(again, moved)

		tick()
		empty, err := f.s.Content().Update(f.ctx, c.ID, store.ContentPatch{})
		f.is.NoErr(err)
		f.later(empty.UpdatedAt, moved.UpdatedAt)
		_, err = f.s.Content().Update(f.ctx, uuid.New(), store.ContentPatch{})
		f.notFound(err)
	}},
	{"IfStatus", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, nil)
		_, err := f.s.Content().Update(f.ctx, c.ID, store.ContentPatch{IfStatus: []store.ContentStatus{store.ContentPublished}, Status: store.Some(store.ContentDraft)})
		f.precondition(err)
		got, err := f.s.Content().Update(f.ctx, c.ID, store.ContentPatch{IfStatus: []store.ContentStatus{store.ContentDraft, store.ContentArchived}, Status: store.Some(store.ContentPublished)})
		f.is.NoErr(err)
		f.is.Equal(got.Status, store.ContentPublished)
	}},
	{"SoftDelete", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, nil)
		f.is.NoErr(f.s.Content().SoftDelete(f.ctx, c.ID))
		_, err := f.s.Content().Get(f.ctx, c.ID)
		f.notFound(err)
		_, err = f.s.Content().Update(f.ctx, c.ID, store.ContentPatch{Title: store.Some("x")})
		f.notFound(err)
		f.notFound(f.s.Content().SoftDelete(f.ctx, c.ID))
		l, err := f.s.Content().List(f.ctx, store.ContentFilter{}, store.Page{})
		f.is.NoErr(err)
		f.is.Equal(l.Total, 0)
		// history keeps pointing at it
		f.purchase(w.customer.ID, c.ID, w.org.ID)
	}},
	{"ListFilters", func(f *fx) {
		w := f.world()
		other := f.user()
		a := f.content(w.creator.ID, &w.org.ID, func(c *store.Content) {
			c.Title = "Jazz night"
			c.Category = ptr("music")
			c.Status = store.ContentPublished
		})
		tick()
		b := f.content(w.creator.ID, nil, func(c *store.Content) {
			c.Title = "Notes"
			c.Description = ptr("about JAZZ")
			c.Visibility = store.VisibilityPrivate
		})
		tick()
		m := f.media(w.creator.ID, func(m *store.MediaItem) { m.MediaType = store.MediaAudio })
		c := f.content(w.creator.ID, &w.org.ID, func(c *store.Content) {
			c.Title = "50% off"
			c.ContentType = store.ContentAudio
			c.MediaItemID = &m.ID
			c.Category = ptr("talk")
		})
		tick()
		d := f.content(other.ID, nil, func(c *store.Content) { c.Title = "Other's" })

		check := func(filter store.ContentFilter, want ...uuid.UUID) {
			f.Helper()
			l, err := f.s.Content().List(f.ctx, filter, store.Page{})
			f.is.NoErr(err)
			f.is.Equal(l.Total, len(want))
			f.is.Equal(contentIDs(l), uuidStrings(want...))
		}
		check(store.ContentFilter{}, d.ID, c.ID, b.ID, a.ID)
		check(store.ContentFilter{CreatorID: w.creator.ID}, c.ID, b.ID, a.ID)
		check(store.ContentFilter{OrganizationID: store.Some(&w.org.ID)}, c.ID, a.ID)
		check(store.ContentFilter{OrganizationID: store.Some[*uuid.UUID](nil)}, d.ID, b.ID) // personal only
		check(store.ContentFilter{CreatorID: w.creator.ID, OrganizationID: store.Some[*uuid.UUID](nil)}, b.ID)
		check(store.ContentFilter{Status: store.ContentPublished}, a.ID)
		check(store.ContentFilter{ContentType: store.ContentAudio}, c.ID)
		check(store.ContentFilter{Visibility: store.VisibilityPrivate}, b.ID)
		check(store.ContentFilter{Category: "music"}, a.ID)
		check(store.ContentFilter{Search: "jazz"}, b.ID, a.ID)
		check(store.ContentFilter{Search: "0% o"}, c.ID)
		check(store.ContentFilter{Search: "%"}, c.ID)
		check(store.ContentFilter{Search: "o_"})
	}},
	{"ListSortAndPage", func(f *fx) {
		w := f.world()
		t0 := time.Now().Add(-time.Hour)
		var cs []*store.Content
		for i, title := range []string{"delta", "alpha", "echo", "bravo", "charlie"} {
			cs = append(cs, f.content(w.creator.ID, nil, func(c *store.Content) {
				c.Title = title
				if i%2 == 0 { // delta, echo, charlie are published
					c.PublishedAt = ptr(t0.Add(time.Duration(i) * time.Minute))
				}
			}))
			tick()
		}
		check := func(filter store.ContentFilter, page store.Page, total int, want ...*store.Content) {
			f.Helper()
			l, err := f.s.Content().List(f.ctx, filter, page)
			f.is.NoErr(err)
			f.is.Equal(l.Total, total)
			var wantIDs []uuid.UUID
			for _, c := range want {
				wantIDs = append(wantIDs, c.ID)
			}
			f.is.Equal(contentIDs(l), uuidStrings(wantIDs...))
		}
		check(store.ContentFilter{}, store.Page{Limit: 2}, 5, cs[4], cs[3])
		check(store.ContentFilter{Order: store.Asc}, store.Page{Limit: 2, Page: 2}, 5, cs[2], cs[3])
		check(store.ContentFilter{SortBy: "title", Order: store.Asc}, store.Page{}, 5, cs[1], cs[3], cs[4], cs[0], cs[2])
		check(store.ContentFilter{SortBy: "title"}, store.Page{Limit: 1}, 5, cs[2])
		check(store.ContentFilter{SortBy: "publishedAt", Order: store.Asc}, store.Page{}, 5, append([]*store.Content{cs[0], cs[2], cs[4]}, nullsByID(cs[1], cs[3])...)...)
		check(store.ContentFilter{SortBy: "publishedAt", Order: store.Desc}, store.Page{}, 5, append([]*store.Content{cs[4], cs[2], cs[0]}, nullsByID(cs[1], cs[3])...)...)
		check(store.ContentFilter{SortBy: "viewCount"}, store.Page{}, 5, nullsByID(cs...)...) // all equal: id decides
		check(store.ContentFilter{SortBy: "purchaseCount", Order: store.Asc}, store.Page{Limit: 2}, 5, nullsByID(cs...)[:2]...)

		// updatedAt follows the last write
		_, err := f.s.Content().Update(f.ctx, cs[1].ID, store.ContentPatch{})
		f.is.NoErr(err)
		check(store.ContentFilter{SortBy: "updatedAt"}, store.Page{Limit: 1}, 5, cs[1])
		check(store.ContentFilter{SortBy: "bogus", Order: store.Asc}, store.Page{Limit: 1}, 5, cs[0])

		// page and limit are clamped, never rejected
		l, err := f.s.Content().List(f.ctx, store.ContentFilter{}, store.Page{Page: -3, Limit: 1000})
		f.is.NoErr(err)
		f.is.Equal(len(l.Items), 5)
	}},
	{"NoAliasing", func(f *fx) {
		w := f.world()
		tags := []string{"one"}
		c := f.content(w.creator.ID, &w.org.ID, func(c *store.Content) { c.Tags = tags })
		tags[0] = "changed"
		c.OrganizationID[0] ^= 0xff
		got, err := f.s.Content().Get(f.ctx, c.ID)
		f.is.NoErr(err)
		f.is.Equal(got.Tags, []string{"one"})
		f.is.Equal(*got.OrganizationID, w.org.ID)
		l, err := f.s.Content().List(f.ctx, store.ContentFilter{}, store.Page{})
		f.is.NoErr(err)
		l.Items[0].Tags[0] = "changed"
		got, err = f.s.Content().Get(f.ctx, c.ID)
		f.is.NoErr(err)
		f.is.Equal(got.Tags, []string{"one"})
	}},
}

// nullsByID orders rows that tie (or are all NULL) by id, as every list
// breaks ties.
func nullsByID(cs ...*store.Content) []*store.Content {
	out := append([]*store.Content(nil), cs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].ID.String() < out[i].ID.String() {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

var accessCases = []testCase{
	{"UpsertGetDelete", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		a := &store.ContentAccess{UserID: w.customer.ID, ContentID: c.ID, OrganizationID: w.org.ID, AccessType: store.AccessComplimentary, GrantedBy: &w.creator.ID, Reason: ptr("gift")}
		f.is.NoErr(f.s.Access().Upsert(f.ctx, a))
		f.is.True(a.ID != uuid.Nil)
		f.stamped(a.CreatedAt, a.UpdatedAt)
		got, err := f.s.Access().Get(f.ctx, w.customer.ID, c.ID)
		f.is.NoErr(err)
		f.is.Equal(got, a)

		tick()
		exp := time.Now().Add(24 * time.Hour)
		b := &store.ContentAccess{UserID: w.customer.ID, ContentID: c.ID, OrganizationID: w.org.ID, AccessType: store.AccessPurchased, ExpiresAt: &exp}
		f.is.NoErr(f.s.Access().Upsert(f.ctx, b))
		f.is.Equal(b.ID, a.ID) // same row
		f.is.True(b.CreatedAt.Equal(a.CreatedAt))
		f.later(b.UpdatedAt, a.UpdatedAt)
		f.is.Equal(b.AccessType, store.AccessPurchased)
		f.is.Equal(b.GrantedBy, nil) // replaced, not merged
		f.is.Equal(b.Reason, nil)
		got, err = f.s.Access().Get(f.ctx, w.customer.ID, c.ID)
		f.is.NoErr(err)
		f.is.Equal(got, b)

		list, err := f.s.Access().ListByUser(f.ctx, w.customer.ID)
		f.is.NoErr(err)
		f.is.Equal(len(list), 1)

		f.is.NoErr(f.s.Access().Delete(f.ctx, w.customer.ID, c.ID))
		_, err = f.s.Access().Get(f.ctx, w.customer.ID, c.ID)
		f.notFound(err)
		f.notFound(f.s.Access().Delete(f.ctx, w.customer.ID, c.ID))
	}},
	{"ListByUser", func(f *fx) {
		w := f.world()
		c1, c2 := f.content(w.creator.ID, &w.org.ID), f.content(w.creator.ID, &w.org.ID)
		for _, c := range []*store.Content{c1, c2} {
			f.is.NoErr(f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.customer.ID, ContentID: c.ID, OrganizationID: w.org.ID, AccessType: store.AccessPurchased}))
			tick()
		}
		f.is.NoErr(f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.creator.ID, ContentID: c1.ID, OrganizationID: w.org.ID, AccessType: store.AccessPreview}))
		list, err := f.s.Access().ListByUser(f.ctx, w.customer.ID)
		f.is.NoErr(err)
		f.is.Equal(ids(list, func(a store.ContentAccess) string { return a.ContentID.String() }), uuidStrings(c1.ID, c2.ID))
		list, err = f.s.Access().ListByUser(f.ctx, "nobody")
		f.is.NoErr(err)
		f.is.Equal(len(list), 0)
	}},
	{"Constraints", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, &w.org.ID)
		err := f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.customer.ID, ContentID: c.ID, OrganizationID: w.org.ID, AccessType: "free"})
		f.violates(err, store.Check, "")
		err = f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.customer.ID, ContentID: uuid.New(), OrganizationID: w.org.ID, AccessType: store.AccessPurchased})
		f.violates(err, store.ForeignKey, "")
		err = f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: "missing", ContentID: c.ID, OrganizationID: w.org.ID, AccessType: store.AccessPurchased})
		f.violates(err, store.ForeignKey, "")
		err = f.s.Access().Upsert(f.ctx, &store.ContentAccess{UserID: w.customer.ID, ContentID: c.ID, OrganizationID: uuid.New(), AccessType: store.AccessPurchased})
		f.violates(err, store.ForeignKey, "")
		_, err = f.s.Access().Get(f.ctx, w.customer.ID, c.ID)
		f.notFound(err)
	}},
}

var playbackCases = []testCase{
	{"MonotonicAndSticky", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, nil)
		p1, err := f.s.Playback().Save(f.ctx, &store.Playback{UserID: w.customer.ID, ContentID: c.ID, PositionSeconds: 100, DurationSeconds: 200, Completed: true})
		f.is.NoErr(err)
		f.is.True(p1.ID != uuid.Nil)
		f.stamped(p1.CreatedAt, p1.UpdatedAt)
		f.is.Equal(p1.PositionSeconds, 100)

		tick()
		p2, err := f.s.Playback().Save(f.ctx, &store.Playback{UserID: w.customer.ID, ContentID: c.ID, PositionSeconds: 40, DurationSeconds: 210})
		f.is.NoErr(err)
		f.is.Equal(p2.ID, p1.ID)
		f.is.Equal(p2.PositionSeconds, 100) // never backwards
		f.is.Equal(p2.DurationSeconds, 210) // replaced
		f.is.True(p2.Completed)             // sticky
		f.is.True(p2.CreatedAt.Equal(p1.CreatedAt))
		f.later(p2.UpdatedAt, p1.UpdatedAt)

		p3, err := f.s.Playback().Save(f.ctx, &store.Playback{UserID: w.customer.ID, ContentID: c.ID, PositionSeconds: 150, DurationSeconds: 210})
		f.is.NoErr(err)
		f.is.Equal(p3.PositionSeconds, 150)

		got, err := f.s.Playback().Get(f.ctx, w.customer.ID, c.ID)
		f.is.NoErr(err)
		f.is.Equal(got, p3)
		_, err = f.s.Playback().Get(f.ctx, w.creator.ID, c.ID)
		f.notFound(err)
	}},
	{"NotCompletedUntilSaid", func(f *fx) {
		w := f.world()
		c := f.content(w.creator.ID, nil)
		p, err := f.s.Playback().Save(f.ctx, &store.Playback{UserID: w.customer.ID, ContentID: c.ID, PositionSeconds: 10, DurationSeconds: 200})
		f.is.NoErr(err)
		f.is.True(!p.Completed)
		p, err = f.s.Playback().Save(f.ctx, &store.Playback{UserID: w.customer.ID, ContentID: c.ID, PositionSeconds: 20, DurationSeconds: 200, Completed: true})
		f.is.NoErr(err)
		f.is.True(p.Completed)
	}},
	{"ContentMustExist", func(f *fx) {
		u := f.user()
		_, err := f.s.Playback().Save(f.ctx, &store.Playback{UserID: u.ID, ContentID: uuid.New(), PositionSeconds: 1, DurationSeconds: 2})
		f.violates(err, store.ForeignKey, "")
	}},
}
