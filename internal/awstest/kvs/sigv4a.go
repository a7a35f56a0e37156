package kvs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/httpbinding"
)

// sigV4AAlgorithm names SigV4A signatures: ECDSA on P-256 over SHA-256.
const sigV4AAlgorithm = "AWS4-ECDSA-P256-SHA256"

// publicKey derives the P-256 key pair SigV4A signs with from an access key
// pair, as AWS does: the NIST SP 800-108 KDF (HMAC-SHA256, counter mode)
// with the label "AWS4-ECDSA-P256-SHA256", key "AWS4A"+secret and context
// accessKeyID+counter, taking the first candidate below n-2, plus one.
func publicKey(accessKeyID, secret string) *ecdsa.PublicKey {
	curve := elliptic.P256()
	nMinusTwo := new(big.Int).Sub(curve.Params().N, big.NewInt(2))
	for counter := 1; counter <= 0xff; counter++ {
		context := append([]byte(accessKeyID), byte(counter))
		var fixed bytes.Buffer
		fixed.WriteString(sigV4AAlgorithm)
		fixed.WriteByte(0)
		fixed.Write(context)
		binary.Write(&fixed, binary.BigEndian, int32(256))
		h := hmac.New(sha256.New, []byte("AWS4A"+secret))
		binary.Write(h, binary.BigEndian, int32(1))
		h.Write(fixed.Bytes())
		candidate := new(big.Int).SetBytes(h.Sum(nil))
		if candidate.Cmp(nMinusTwo) < 0 {
			d := candidate.Add(candidate, big.NewInt(1))
			priv, err := ecdsa.ParseRawPrivateKey(curve, d.FillBytes(make([]byte, 32)))
			if err != nil {
				return nil
			}
			return &priv.PublicKey
		}
	}
	return nil
}

// stripSpaces trims a header value and collapses its inner runs of spaces.
func stripSpaces(v string) string {
	return strings.Join(strings.Fields(v), " ")
}

// canonicalQuery is SigV4's: every name and value escaped (space as %20),
// sorted by name, then value.
func canonicalQuery(raw string) string {
	q, _ := url.ParseQuery(raw)
	type kv struct{ k, v string }
	var params []kv
	for k, vs := range q {
		for _, v := range vs {
			params = append(params, kv{escape(k), escape(v)})
		}
	}
	sort.Slice(params, func(i, j int) bool {
		if params[i].k != params[j].k {
			return params[i].k < params[j].k
		}
		return params[i].v < params[j].v
	})
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// verifySignature checks a SigV4A signature (header form) against the
// request, its body and the key pair: the canonical request as the SDK
// builds it (path escaped once more, signed headers with their values
// trimmed, the body's SHA-256), the string to sign, and the ECDSA
// signature over its SHA-256. It returns why it fails, or "".
func verifySignature(r *http.Request, body []byte, pub *ecdsa.PublicKey, day, service string, signed []string, signature string) string {
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return "X-Amz-Date is not a SigV4 time"
	}
	if d := time.Since(t); d > 15*time.Minute || d < -15*time.Minute {
		return "the signature has expired (X-Amz-Date more than 15 minutes away)"
	}
	payload := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(payload[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return "X-Amz-Content-Sha256 is not the body's SHA-256"
	}
	var headers strings.Builder
	for _, name := range signed {
		var value string
		switch name {
		case "host":
			value = stripSpaces(r.Host)
		case "content-length":
			value = strconv.FormatInt(r.ContentLength, 10)
		default:
			vs := r.Header.Values(name)
			for i := range vs {
				vs[i] = stripSpaces(vs[i])
			}
			value = strings.Join(vs, ",")
		}
		headers.WriteString(name + ":" + value + "\n")
	}
	canonical := strings.Join([]string{
		r.Method,
		httpbinding.EscapePath(r.URL.EscapedPath(), false),
		canonicalQuery(r.URL.RawQuery),
		headers.String(),
		strings.Join(signed, ";"),
		payloadHash,
	}, "\n")
	creq := sha256.Sum256([]byte(canonical))
	toSign := strings.Join([]string{sigV4AAlgorithm, amzDate, day + "/" + service + "/aws4_request", hex.EncodeToString(creq[:])}, "\n")
	digest := sha256.Sum256([]byte(toSign))
	sig, err := hex.DecodeString(signature)
	if err != nil || !ecdsa.VerifyASN1(pub, digest[:], sig) {
		return "the signature does not match the request (SigV4A, ECDSA P-256)"
	}
	return ""
}

// readBody reads a request's body for the signature check and puts it
// back for the handler.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 2<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, err
}
