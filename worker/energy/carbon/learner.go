package carbon

import (
	"fmt"
	"time"
)

// Forecaster learns from observations in time order and forecasts the
// slots ahead. Profile and Learner are the two the worker has.
type Forecaster interface {
	Observe(t time.Time, gramsPerKWh float64) error
	Horizon(from time.Time, d time.Duration) []Point
}

// Learner forecasts the next day from the past alone, better than a
// profile: on a regular grid of slots, it keeps one small linear model per
// lead time (1 to a day's slots ahead) that predicts the change from now
// to that slot from what is known now: how the daily profile expects the
// slot to differ from now, today's departure from the profile, the last
// slot's and the last hours' trend, the departure's own trend (the trend
// with the day's shape taken out: a front arriving) and the profile
// difference scaled by the departure (a windy day flattens the solar dip). Each model is fitted online by
// recursive least squares with forgetting, from the targets that have
// already happened, so the forecast never reads the future and adapts
// through the seasons. Until a model has seen two days of targets, and
// for slots more than a day ahead, the profile alone answers.
//
// The features and constants were chosen on the DE and GB traces of 2020
// (../shared/bench/carbon), which the benchmark also reports on; the
// benchmark's temporal split keeps its figures out of sample for the
// fitted weights, not for this design.
type Learner struct {
	step    time.Duration
	leads   int // a day's slots: models for leads 1 … leads-1
	profile *Profile
	lambda  float64

	next    time.Time // the next grid time to process
	started bool
	cur     float64 // the intensity in force
	// hist holds the grid values, newest last, and feats the feature
	// vectors computed at each grid time, for the targets still to come.
	hist  ring
	feats []entry
	fHead int
	fLen  int
	last  time.Time // the latest processed grid time
	lastV float64
	n     int
	model []rls
}

const nFeatures = 10

type features [nFeatures]float64

// entry is what was known at one grid time: the features every lead
// shares and, per lead, the profile's expected change to that slot (as
// the profile stood then, so a model learns from what it could have
// known).
type entry struct {
	f  features
	pd []float64
}

// LearnerAlpha is the weight of each new day in the learner's profile and
// LearnerForgetting the forgetting factor of its models (per slot: about a
// month's memory at 15-minute slots).
const (
	LearnerAlpha      = 0.1
	LearnerForgetting = 0.9999
)

// NewLearner makes a learner on slots of the given length (which must
// divide a day).
func NewLearner(step time.Duration) (*Learner, error) {
	p, err := NewProfile(step, LearnerAlpha)
	if err != nil {
		return nil, err
	}
	leads := int(24 * time.Hour / step)
	l := &Learner{step: step, leads: leads, profile: p, lambda: LearnerForgetting,
		hist: newRing(max(leads, 6*int(time.Hour/step)+1)), feats: make([]entry, leads), model: make([]rls, leads)}
	for i := range l.model {
		l.model[i] = newRLS()
		l.feats[i].pd = make([]float64, leads)
	}
	return l, nil
}

// Observe records the intensity in force from t on. Grid times passed
// since the last observation take the value that was in force then.
func (l *Learner) Observe(t time.Time, v float64) error {
	if err := checkValue(v); err != nil {
		return err
	}
	t = t.UTC()
	if !l.started {
		l.next, l.started, l.cur = t.Truncate(l.step), true, v
		if l.next.Before(t) {
			l.next = l.next.Add(l.step)
		}
	} else if t.Before(l.last) {
		return fmt.Errorf("observation at %s is older than the last one (%s)", t.Format(time.RFC3339), l.last.Format(time.RFC3339))
	}
	for l.next.Before(t) {
		if err := l.process(l.next, l.cur); err != nil {
			return err
		}
		l.next = l.next.Add(l.step)
	}
	l.cur = v
	if l.next.Equal(t) {
		if err := l.process(t, v); err != nil {
			return err
		}
		l.next = l.next.Add(l.step)
	}
	return nil
}

// process handles one grid time: the models learn the targets it
// completes, then its own features are kept for the targets ahead.
func (l *Learner) process(g time.Time, v float64) error {
	for lead := 1; lead < l.leads && lead <= l.fLen; lead++ {
		e := &l.feats[(l.fHead-lead+l.leads)%l.leads]
		f := e.f.forLead(e.pd[lead])
		then := l.hist.back(lead - 1)
		l.model[lead].update(&f, v-then, l.lambda)
	}
	if err := l.profile.Observe(g, v); err != nil {
		return err
	}
	l.hist.push(v)
	l.last, l.lastV = g, v
	l.n++
	l.remember(&l.feats[l.fHead], g, v)
	l.fHead = (l.fHead + 1) % l.leads
	l.fLen = min(l.fLen+1, l.leads)
	return nil
}

// remember fills e with what is known at grid time g (value v).
func (l *Learner) remember(e *entry, g time.Time, v float64) {
	now, _ := l.profile.Forecast(g)
	hr := max(1, int(time.Hour/l.step))
	dep := v - now
	// The departure's own trend, apart from the day's shape: the value k
	// slots ago against the profile's mean for that slot.
	depAgo := func(k int) float64 {
		then, _ := l.profile.Forecast(g.Add(-time.Duration(k) * l.step))
		return l.hist.back(k) - then
	}
	e.f = features{1, 0, dep, v - l.hist.back(hr), v - l.hist.back(3*hr), v - l.hist.back(6*hr), 0,
		dep - depAgo(hr), dep - depAgo(3*hr), v - l.hist.back(1)}
	for lead := 1; lead < l.leads; lead++ {
		then, _ := l.profile.Forecast(g.Add(time.Duration(lead) * l.step))
		e.pd[lead] = then - now
	}
}

// forLead completes the shared features with the profile's expected
// change pd to the slot of one lead, and that change scaled by today's
// departure from the profile.
func (f features) forLead(pd float64) features {
	f[1] = pd
	f[6] = pd * f[2] / 300
	return f
}

// Forecast is the expected intensity at time at, from the latest grid
// time. ok is false before any observation.
func (l *Learner) Forecast(at time.Time) (float64, bool) {
	if l.n == 0 {
		return 0, false
	}
	lead := int(at.Sub(l.last) / l.step)
	if lead <= 0 {
		return l.lastV, true
	}
	// Beyond a day, or before a model has two days of targets, the
	// profile answers: the models only know the day ahead.
	if lead >= l.leads || l.model[lead].seen < 2*l.leads {
		return l.profile.Forecast(at)
	}
	m := &l.model[lead]
	e := &l.feats[(l.fHead-1+l.leads)%l.leads]
	f := e.f.forLead(e.pd[lead])
	return max(0, l.lastV+m.predict(&f)), true
}

// Horizon forecasts the slots from `from` (rounded down to a slot) for d.
func (l *Learner) Horizon(from time.Time, d time.Duration) []Point {
	return horizon(l.Forecast, l.step, from, d)
}

// ring keeps the last values; back(0) is the newest, and a value older
// than the ring holds is the oldest it has.
type ring struct {
	v    []float64
	head int
	n    int
}

func newRing(n int) ring { return ring{v: make([]float64, n)} }

func (r *ring) push(x float64) {
	r.v[r.head] = x
	r.head = (r.head + 1) % len(r.v)
	r.n = min(r.n+1, len(r.v))
}

func (r *ring) back(i int) float64 {
	if r.n == 0 {
		return 0
	}
	i = min(i, r.n-1)
	return r.v[(r.head-1-i+2*len(r.v))%len(r.v)]
}

// rls is one recursive-least-squares model with forgetting.
type rls struct {
	w    features
	p    [nFeatures][nFeatures]float64
	seen int
}

func newRLS() rls {
	var m rls
	for i := range m.p {
		m.p[i][i] = 100
	}
	return m
}

func (m *rls) predict(f *features) float64 {
	s := 0.0
	for i, x := range f {
		s += m.w[i] * x
	}
	return s
}

// update fits y ≈ w·x: gain k = P x / (λ + xᵀ P x); w += k (y − w·x);
// P = (P − k xᵀ P) / λ.
func (m *rls) update(x *features, y, lambda float64) {
	var px features
	for i := range px {
		for j := range x {
			px[i] += m.p[i][j] * x[j]
		}
	}
	den := lambda
	for i := range x {
		den += x[i] * px[i]
	}
	err := y - m.predict(x)
	for i := range m.w {
		k := px[i] / den
		m.w[i] += k * err
		for j := range px {
			// P is symmetric, so xᵀP = (P x)ᵀ.
			m.p[i][j] = (m.p[i][j] - k*px[j]) / lambda
		}
	}
	m.seen++
}
