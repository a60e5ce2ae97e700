package content_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/matryer/is"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/content"
	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/disk"
	"github.com/codexforgo/codex/store/memory"
)

// acceptingTranscoder takes every job the way a real one would: a guarded
// move from uploaded to transcoding.
type acceptingTranscoder struct {
	db  store.Store
	got []store.MediaItem
}

func (tr *acceptingTranscoder) Enqueue(ctx context.Context, m store.MediaItem) error {
	tr.got = append(tr.got, m)
	_, err := tr.db.Media().Update(ctx, m.ID, store.MediaPatch{
		IfStatus: []store.MediaStatus{store.MediaUploaded}, Status: store.Some(store.MediaTranscoding),
	})
	return err
}

type fixture struct {
	svc     *content.Service
	db      *memory.Store
	blobs   *disk.Blobs
	creator *actor.Actor
	tr      *acceptingTranscoder
}

func setup(t *testing.T) *fixture {
	t.Helper()
	db := memory.New()
	blobs, err := disk.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Name: "C", Email: "c@example.com", Role: store.RoleCreator}
	if err := db.Users().Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	tr := &acceptingTranscoder{db: db}
	svc := content.New(db, blobs, content.Config{PublicURL: "https://p.example", UploadKey: bytes.Repeat([]byte("k"), 32), Transcoder: tr})
	return &fixture{svc: svc, db: db, blobs: blobs, creator: &actor.Actor{UserID: u.ID, Role: store.RoleCreator}, tr: tr}
}

func TestUploadHandsOffToTranscoder(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	f := setup(t)
	file := append([]byte("\x1a\x45\xdf\xa3"), bytes.Repeat([]byte{1}, 60)...)
	up, err := f.svc.CreateMedia(ctx, f.creator, content.NewMedia{Title: "Talk", MediaType: store.MediaVideo, MimeType: "video/webm", FileSizeBytes: int64(len(file)), Filename: "talk.webm"})
	is.NoErr(err)
	is.Equal(up.Status, store.MediaUploading)
	is.Equal(up.R2Key, f.creator.UserID+"/originals/"+up.ID.String()+"/talk.webm")
	tok := up.Upload.URL[strings.LastIndex(up.Upload.URL, "/")+1:]

	is.NoErr(f.svc.Upload(ctx, up.ID, tok, bytes.NewReader(file), "video/webm", -1))
	res, err := f.svc.CompleteUpload(ctx, f.creator, up.ID)
	is.NoErr(err)
	is.Equal(res.Status, store.MediaTranscoding)
	is.Equal(len(f.tr.got), 1)
	is.Equal(f.tr.got[0].Status, store.MediaUploaded) // handed over once uploaded

	_, err = f.svc.CompleteUpload(ctx, f.creator, up.ID)
	is.True(errors.Is(err, fault.Conflict)) // not awaiting an upload any more
}

func TestNoTranscoderLeavesUploaded(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	f := setup(t)
	svc := content.New(f.db, f.blobs, content.Config{PublicURL: "https://p.example", UploadKey: bytes.Repeat([]byte("k"), 32)})
	file := []byte("OggS and some audio")
	up, err := svc.CreateMedia(ctx, f.creator, content.NewMedia{Title: "Song", MediaType: store.MediaAudio, MimeType: "audio/ogg", FileSizeBytes: int64(len(file)), Filename: "song.ogg"})
	is.NoErr(err)
	is.NoErr(f.blobs.Put(ctx, up.R2Key, bytes.NewReader(file), int64(len(file)), "audio/ogg"))
	res, err := svc.CompleteUpload(ctx, f.creator, up.ID)
	is.True(errors.Is(err, content.ErrTranscoderUnavailable))
	is.Equal(res.Status, store.MediaUploaded)
	// calling again retries the hand-off instead of failing on the state
	res, err = svc.CompleteUpload(ctx, f.creator, up.ID)
	is.True(errors.Is(err, fault.Unavailable))
	is.Equal(res.Status, store.MediaUploaded)
}

func TestLifecycleAndOrgRules(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	f := setup(t)
	org := &store.Organization{Name: "O", Slug: "o"}
	is.NoErr(f.db.Organizations().Create(ctx, org))

	_, err := f.svc.Create(ctx, f.creator, content.Create{Title: "T", Slug: "t", ContentType: store.ContentWritten, ContentBody: ptr("b"), OrganizationID: &org.ID})
	is.True(errors.Is(err, fault.Forbidden)) // not a member
	is.NoErr(f.db.Memberships().Create(ctx, &store.Membership{OrganizationID: org.ID, UserID: f.creator.UserID, Role: store.MemberSubscriber, Status: store.MembershipActive}))
	_, err = f.svc.Create(ctx, f.creator, content.Create{Title: "T", Slug: "t", ContentType: store.ContentWritten, ContentBody: ptr("b"), OrganizationID: &org.ID})
	is.True(errors.Is(err, fault.Forbidden)) // subscribers do not publish
	_, err = f.db.Memberships().Update(ctx, org.ID, f.creator.UserID, store.MembershipPatch{Role: store.Some(store.MemberCreator)})
	is.NoErr(err)
	c, err := f.svc.Create(ctx, f.creator, content.Create{Title: " T ", Slug: "My-Slug", ContentType: store.ContentWritten, ContentBody: ptr("b"), OrganizationID: &org.ID})
	is.NoErr(err)
	is.Equal(c.Title, "T")
	is.Equal(c.Slug, "my-slug")

	_, err = f.svc.Archive(ctx, f.creator, c.ID)
	is.True(errors.Is(err, fault.Conflict)) // drafts are not archived
	c, err = f.svc.Publish(ctx, f.creator, c.ID)
	is.NoErr(err)
	is.Equal(c.Status, store.ContentPublished)
	c, err = f.svc.Archive(ctx, f.creator, c.ID)
	is.NoErr(err)
	is.Equal(c.Status, store.ContentArchived)
	c, err = f.svc.Unpublish(ctx, f.creator, c.ID)
	is.NoErr(err)
	is.Equal(c.Status, store.ContentDraft)
	is.True(c.PublishedAt != nil) // history kept

	// published content must stay publishable through updates
	m, err := f.svc.CreateMedia(ctx, f.creator, content.NewMedia{Title: "M", MediaType: store.MediaVideo, MimeType: "video/mp4", FileSizeBytes: 10, Filename: "m.mp4"})
	is.NoErr(err)
	_, err = f.svc.Publish(ctx, f.creator, c.ID)
	is.NoErr(err)
	_, err = f.svc.Update(ctx, f.creator, c.ID, content.Update{ContentType: store.Some(store.ContentVideo), MediaItemID: store.Some(&m.ID)})
	is.Equal(fault.From(err).Code, fault.CodeMediaNotReady)

	customer := &actor.Actor{UserID: "x", Role: store.RoleCustomer}
	_, err = f.svc.Create(ctx, customer, content.Create{Title: "T", Slug: "t2", ContentType: store.ContentWritten, ContentBody: ptr("b")})
	is.True(errors.Is(err, fault.Forbidden))
	is.NoErr(f.svc.Delete(ctx, f.creator, c.ID))
	_, err = f.svc.Get(ctx, f.creator, c.ID)
	is.True(errors.Is(err, fault.NotFound))
}

func ptr[T any](v T) *T { return &v }

func TestUploadOriginalInProcess(t *testing.T) {
	is := is.New(t)
	ctx := context.Background()
	f := setup(t)
	file := append([]byte("\x1a\x45\xdf\xa3"), bytes.Repeat([]byte{2}, 40)...)
	up, err := f.svc.CreateMedia(ctx, f.creator, content.NewMedia{Title: "Clip", MediaType: store.MediaVideo, MimeType: "video/webm", FileSizeBytes: int64(len(file)), Filename: "clip.webm"})
	is.NoErr(err)

	other := &store.User{Name: "O", Email: "o@example.com", Role: store.RoleCreator}
	is.NoErr(f.db.Users().Create(ctx, other))
	err = f.svc.UploadOriginal(ctx, &actor.Actor{UserID: other.ID, Role: store.RoleCreator}, up.ID, bytes.NewReader(file), "video/webm", -1)
	is.True(errors.Is(err, fault.NotFound)) // someone else's item does not exist for them

	err = f.svc.UploadOriginal(ctx, f.creator, up.ID, bytes.NewReader(file), "video/mp4", -1)
	is.Equal(fault.From(err).Code, content.CodeUploadTypeMismatch)
	err = f.svc.UploadOriginal(ctx, f.creator, up.ID, bytes.NewReader(append(file, 0)), "video/webm", -1)
	is.Equal(fault.From(err).Code, content.CodeUploadSizeMismatch)

	is.NoErr(f.svc.UploadOriginal(ctx, f.creator, up.ID, bytes.NewReader(file), "video/webm", int64(len(file))))
	res, err := f.svc.CompleteUpload(ctx, f.creator, up.ID)
	is.NoErr(err)
	is.Equal(res.Status, store.MediaTranscoding)
	err = f.svc.UploadOriginal(ctx, f.creator, up.ID, bytes.NewReader(file), "video/webm", -1)
	is.True(errors.Is(err, fault.Conflict)) // no longer awaiting an upload
}
