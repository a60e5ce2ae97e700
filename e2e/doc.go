// Package e2e proves the whole platform over HTTP: its tests run one
// creator and one customer through sign-up, organizations, upload and
// transcoding, publishing, streaming with a real HLS client, buying (local
// payments and Stripe through stripe-mock), receipts, revenue figures and
// refunds, on the embedded defaults and on PostgreSQL.
//
// The package holds no code of its own; see journey_test.go.
package e2e
