// Package aggregate holds the pure, deterministic arithmetic that finalizes an
// H3LIX round: the weighted verdict of the attestations, the robust per-domain
// median/MAD outlier filter in embedding space, the artifact weights, the top-K
// Collective Context Field with its centroids, EMA, spread and Merkle root.
//
// It has no store dependency and uses the Go standard library only. The x/ccf
// keeper calls it from EndBlock; the worker and the network simulator can call
// it to reproduce a field bit for bit.
//
// # Determinism rules
//
//   - No floating point anywhere; only integers and fixed point.
//   - No map is iterated to produce output; every output order is defined by an
//     explicit sort with a total order (ties are broken by a unique key: the
//     artifact ID, the verifier address or the domain string, compared
//     byte-wise).
//   - No goroutines, no clock, no randomness.
//   - No function panics on any input. Invalid input is reported with one of the
//     exported sentinel errors (wrapped with context; test with errors.Is).
//     DecideVerdict and Agreement have no error result: they are total
//     functions (see their docs) and ValidateAttestations is the strict check.
//   - All sums that can exceed 64 bits are kept in 128-bit integers (math/bits)
//     or math/big; nothing wraps around silently.
//   - Every result depends only on the set of inputs, never on their order
//     (inputs with unique keys are sorted first; medians depend only on the
//     multiset of (value, weight) pairs).
//
// # Fixed-point conventions
//
// PPM (10^6) is the unit of scores, qualities, confidences, reputations,
// renewable shares and field weights: 1.0 == PPM. Multipliers such as the MAD
// factor k and the green bonus are also given in ppm (k = 3 is 3_000_000).
// Artifact weights W (see Weight) are in units of 1/WeightUnit, WeightUnit =
// PPM² = 10^12, so a perfect candidate (R = Q = C = PPM) without bonus weighs
// exactly WeightUnit. Vectors of the field (centroids, EMA) are in micro units:
// an embedding coordinate v is represented as v·10^6. Divisions truncate unless
// documented otherwise; centroid and EMA coordinates are rounded to the
// nearest integer, ties toward +∞ (floor((2·num + den) / (2·den))).
//
// # Algorithms
//
// Verdict (DecideVerdict). The attestation weights (verifier reputation, ppm)
// are summed per verdict. With V, I, U the VALID, INVALID and UNAVAILABLE
// weights and T = V+I+U, the outcome is VALID when V > I+U, INVALID when
// I > V+U, UNAVAILABLE when U > V+I, each only when T ≥ MinAttestedWeight;
// otherwise there is no consensus (Outcome 0). The quality is the lower
// weighted median of the VALID qualities (weights = attestation weights).
// Agreement scores one attestation against that consensus.
//
// Weighted median (WeightedMedian). Values sorted ascending; the result is the
// smallest value v whose cumulative weight c(v) = Σ{w_i : x_i ≤ v} satisfies
// 2·c(v) ≥ W, W the total weight (the lower weighted median). With W = 0 it is
// the plain lower median, element (n-1)/2 of the sorted values. For int8
// coordinates the same definition is evaluated with 256 buckets in O(n).
//
// Outlier filter (FilterOutliers). Points are grouped by domain; domains are
// processed in byte-wise sorted order. Per domain:
//
//	centre_j = lower weighted median of the points' coordinate j (weights = Point.Weight)
//	d_i      = Σ_j (e_ij - centre_j)²                       (squared L2, exact integer)
//	med      = median(d)                 (standard median: mean of the two middle values for an even count)
//	MAD      = median(|d_i - med|)       (same median)
//	outlier  ⇔ d_i·PPM > med·PPM + k·MAD (k = MADMultiplierPPM)
//
// The standard (not lower) median is used for d so that a two-point domain does
// not always drop one of its points; it is evaluated exactly in integers by
// doubling (med2 = d_lo + d_hi, mad4 = dev2_lo + dev2_hi with dev2 = |2d - med2|,
// and outlier ⇔ 4·d·PPM > 2·med2·PPM + k·mad4), in 128-bit arithmetic.
// Cost O(n·dim + n log n); the centre costs O(dim·(m + 256)) for a domain of m
// points (O(dim·m log m) below 64 points; both give the same value).
//
// Weight (Weight). W = R·Q·C·(PPM² + bonus·renewable) / PPM³ (one truncating
// division, 128-bit intermediate), i.e. R·Q·C/PPM² in units of 1/WeightUnit,
// multiplied by (1 + bonus·renewable).
//
// Field (BuildField). Candidates with W = 0 are not eligible. The eligible ones
// are sorted by W descending, ties by ID ascending, and the first MaxFieldSize
// form the field. Weights are normalized to ppm by the largest-remainder method:
// w_i = floor(W_i·PPM / ΣW), and the PPM - Σw_i leftover units go one each to
// the entries with the largest remainders (W_i·PPM mod ΣW), ties by ID
// ascending; the WeightPPM of the field sum to exactly PPM. The per-domain
// centroid is the WeightPPM-weighted mean of the field entries' embeddings in
// micro units (unweighted mean if the domain's WeightPPM sum is 0), so it can be
// recomputed from the field record alone. The EMA per domain is
// round(((PPM-β)·prev + β·centroid) / PPM); a domain not in prevEMA starts at its
// centroid, a domain in prevEMA but not in the field is carried over unchanged
// (pruning is the caller's job). The spread is the WeightPPM-weighted mean
// squared pairwise distance Σ_i Σ_j w_i w_j |e_i - e_j|² / W², computed in
// O(n·dim) through the exact identity = 2·(W·Σ w_i|e_i|² - |Σ w_i e_i|²) / W²,
// and reported as floor(spread·PPM). The field is degenerate when it has fewer
// than 2 entries or SpreadPPM < MinSpreadPPM.
//
// Merkle root (MerkleRoot). Leaves in Entries order:
//
//	leaf = SHA-256(0x00 || uint64be(len(CID)) || CID || uint32be(WeightPPM))
//	node = SHA-256(0x01 || left || right)
//
// An odd node at the end of a level is promoted unchanged to the next level.
// The root of one leaf is that leaf hash; the root of no leaves is 32 zero bytes.
//
// Intended pipeline in the keeper: DecideVerdict per artifact → FilterOutliers
// over the accepted artifacts (Point.Weight = PointWeight(reputation,
// confidence)) → BuildField over the accepted, kept artifacts (Candidate.Quality
// = VerdictResult.Quality).
//
// # Robustness bound
//
// Let a domain's points be split into honest points H and adversarial points A
// (placed anywhere, colluding), with the adversarial weight strictly less than
// half the domain's total weight: Σ_A w < Σ_H w (so Σ_H w > 0). Then for every
// coordinate j the centre satisfies
//
//	min{e_hj : h ∈ H, w_h > 0} ≤ centre_j ≤ max{e_hj : h ∈ H, w_h > 0}.
//
// Proof: below the honest minimum the cumulative weight is at most Σ_A w < W/2,
// so the lower weighted median cannot lie there; at the honest maximum the
// cumulative weight is at least Σ_H w > W/2, so it lies at or below it. Hence
// the centre stays in the bounding box of the honest points whatever the
// minority does, and |centre - h|² ≤ D_H := Σ_j (max_j - min_j)² for every
// honest h. If moreover the adversarial points are fewer than half of the
// domain's points by count, both middle distances and the MAD are at most D_H,
// so every adversarial point with d > D_H·(1 + k/PPM) is filtered as an outlier.
// (Weight share exactly 1/2 is not enough: the lower median may then be the
// adversary's value.) Both statements are property-tested.
package aggregate
