// Package s3 stores blobs in an S3-compatible bucket (AWS S3, Cloudflare R2,
// MinIO) with aws-sdk-go-v2, and presigns GET and PUT URLs so clients upload
// originals straight to the bucket.
//
//	b, err := s3.New(ctx, s3.Config{
//		Endpoint: "https://<account>.r2.cloudflarestorage.com", Region: "auto",
//		Bucket: "media", AccessKeyID: id, SecretAccessKey: secret,
//	})
package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/codexforgo/codex/fault"
	"github.com/codexforgo/codex/store"
)

// Config names a bucket and how to reach it.
type Config struct {
	// Endpoint is the S3 API base URL; empty means AWS itself.
	Endpoint string
	// Region is the signing region; default "auto" with an Endpoint (R2),
	// "us-east-1" without.
	Region string
	// Bucket is required.
	Bucket string
	// AccessKeyID and SecretAccessKey are static credentials; empty means
	// the SDK's default chain (environment, shared files, instance role).
	AccessKeyID     string
	SecretAccessKey string
	// PathStyle addresses objects as {endpoint}/{bucket}/{key}, which MinIO
	// and most self-hosted servers need.
	PathStyle bool
	// HTTPClient overrides the SDK's HTTP client.
	HTTPClient *http.Client
}

// Blobs is a store.Blobs and store.Presigner on one bucket.
type Blobs struct {
	c       *s3.Client
	presign *s3.PresignClient
	bucket  string
}

var (
	_ store.Blobs     = (*Blobs)(nil)
	_ store.Presigner = (*Blobs)(nil)
)

// New returns blobs on cfg's bucket. It does not contact the server; Ping
// does.
func New(ctx context.Context, cfg Config) (*Blobs, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3: Bucket is required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
		if cfg.Endpoint != "" {
			cfg.Region = "auto"
		}
	}
	if (cfg.AccessKeyID == "") != (cfg.SecretAccessKey == "") {
		return nil, errors.New("s3: set both AccessKeyID and SecretAccessKey, or neither")
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion(cfg.Region)}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(cfg.HTTPClient))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	c := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(strings.TrimRight(cfg.Endpoint, "/"))
		}
		o.UsePathStyle = cfg.PathStyle
		// R2, MinIO and older S3-compatible servers reject or ignore the
		// CRC trailers newer SDKs add by default.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &Blobs{c: c, presign: s3.NewPresignClient(c), bucket: cfg.Bucket}, nil
}

func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var re *awshttp.ResponseError
	return errors.As(err, &nsk) || errors.As(err, &nf) || (errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound)
}

func mapErr(err error, op string) error {
	if err == nil {
		return nil
	}
	if isNotFound(err) {
		return store.ErrNotFound
	}
	return fmt.Errorf("s3 %s: %w", op, err)
}

// Put streams r into the object. The payload is sent unsigned (the TLS
// connection protects it), which lets an upload stream from a reader that
// cannot seek, such as a request body, without buffering it.
func (b *Blobs) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	in := &s3.PutObjectInput{Bucket: &b.bucket, Key: &key, Body: r}
	if contentType != "" {
		in.ContentType = &contentType
	}
	if size >= 0 {
		in.ContentLength = &size
	}
	_, err := b.c.PutObject(ctx, in, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	return mapErr(err, "put")
}

// Get opens the object. The reader also implements io.Seeker: a seek makes
// the next read open a ranged GET from the new offset, so http.ServeContent
// can answer Range requests without downloading the whole object.
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadCloser, store.BlobInfo, error) {
	out, err := b.c.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.bucket, Key: &key})
	if err != nil {
		return nil, store.BlobInfo{}, mapErr(err, "get")
	}
	info := store.BlobInfo{Key: key, Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType)}
	if out.LastModified != nil {
		info.ModTime = out.LastModified.UTC()
	}
	return &object{ctx: ctx, b: b, key: key, size: info.Size, body: out.Body}, info, nil
}

// Stat describes the object with a HEAD request.
func (b *Blobs) Stat(ctx context.Context, key string) (store.BlobInfo, error) {
	out, err := b.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: &key})
	if err != nil {
		return store.BlobInfo{}, mapErr(err, "stat")
	}
	info := store.BlobInfo{Key: key, Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType)}
	if out.LastModified != nil {
		info.ModTime = out.LastModified.UTC()
	}
	return info, nil
}

// Delete removes the object; S3 answers success for missing keys too.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	_, err := b.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.bucket, Key: &key})
	if isNotFound(err) {
		return nil
	}
	return mapErr(err, "delete")
}

// DeletePrefix lists the prefix and deletes what it finds, one object at a
// time: DeleteObjects would be fewer requests, but it needs a Content-MD5 or
// checksum some S3-compatible servers handle differently, and prefixes here
// (one media item's outputs) are small.
func (b *Blobs) DeletePrefix(ctx context.Context, prefix string) error {
	if prefix == "" {
		return errors.New("s3: refusing to delete an empty prefix")
	}
	p := s3.NewListObjectsV2Paginator(b.c, &s3.ListObjectsV2Input{Bucket: &b.bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return mapErr(err, "list")
		}
		for _, o := range page.Contents {
			if err := b.Delete(ctx, aws.ToString(o.Key)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Ping checks that the bucket answers.
func (b *Blobs) Ping(ctx context.Context) error {
	if _, err := b.c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &b.bucket}); err != nil {
		return fault.Unavailablef(err, "Blob storage unavailable")
	}
	return nil
}

// PresignPut signs a PUT of exactly size bytes of contentType. The
// returned headers are the signed ones the client must send.
func (b *Blobs) PresignPut(ctx context.Context, key, contentType string, size int64, expiry time.Duration) (string, http.Header, error) {
	req, err := b.presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: &b.bucket, Key: &key, ContentType: &contentType, ContentLength: &size,
	}, s3.WithPresignExpires(expiry))
	if err != nil {
		return "", nil, fmt.Errorf("s3 presign put: %w", err)
	}
	return req.URL, req.SignedHeader, nil
}

// PresignGet signs a GET of the object.
func (b *Blobs) PresignGet(ctx context.Context, key string, expiry time.Duration) (string, error) {
	req, err := b.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &b.bucket, Key: &key},
		s3.WithPresignExpires(expiry))
	if err != nil {
		return "", fmt.Errorf("s3 presign get: %w", err)
	}
	return req.URL, nil
}

// object is a seekable reader over an S3 object.
type object struct {
	ctx     context.Context
	b       *Blobs
	key     string
	size    int64
	off     int64         // where the next Read reads
	body    io.ReadCloser // open stream, positioned at bodyOff
	bodyOff int64
}

func (o *object) Read(p []byte) (int, error) {
	if o.off >= o.size {
		return 0, io.EOF
	}
	if o.body == nil || o.bodyOff != o.off {
		if o.body != nil {
			o.body.Close()
			o.body = nil
		}
		rng := fmt.Sprintf("bytes=%d-", o.off)
		out, err := o.b.c.GetObject(o.ctx, &s3.GetObjectInput{Bucket: &o.b.bucket, Key: &o.key, Range: &rng})
		if err != nil {
			return 0, mapErr(err, "get range")
		}
		o.body, o.bodyOff = out.Body, o.off
	}
	n, err := o.body.Read(p)
	o.off += int64(n)
	o.bodyOff += int64(n)
	return n, err
}

func (o *object) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = o.off + offset
	case io.SeekEnd:
		abs = o.size + offset
	default:
		return 0, errors.New("s3: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("s3: negative position")
	}
	o.off = abs
	return abs, nil
}

func (o *object) Close() error {
	if o.body == nil {
		return nil
	}
	err := o.body.Close()
	o.body = nil
	return err
}
