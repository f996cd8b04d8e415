package queue

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	registered bool
	attempts   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	released   *prometheus.CounterVec
	depth      *prometheus.GaugeVec
	oldest     *prometheus.GaugeVec
	// The webhook gauges keep the names dashboards knew before the queue carried every kind.
	webhookDepth, webhookOldest prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dsb_job_attempts_total",
			Help: "Job attempts by kind and outcome (the job's next state: completed, available, discarded)."}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "dsb_job_attempt_duration_seconds",
			Help: "Duration of job attempts.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}, []string{"kind"}),
		released: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dsb_job_released_total",
			Help: "Claimed jobs put back unattempted, by reason (breaker_open, destination_busy)."}, []string{"kind", "reason"}),
		depth: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "dsb_job_queue_depth",
			Help: "Jobs waiting for an attempt, by kind."}, []string{"kind"}),
		oldest: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "dsb_job_oldest_due_seconds",
			Help: "How long the oldest due job of each kind has waited."}, []string{"kind"}),
		webhookDepth: prometheus.NewGauge(prometheus.GaugeOpts{Name: "dsb_webhook_queue_depth",
			Help: "Webhook deliveries waiting for an attempt."}),
		webhookOldest: prometheus.NewGauge(prometheus.GaugeOpts{Name: "dsb_webhook_oldest_due_seconds",
			Help: "How long the oldest due webhook delivery has waited."}),
	}
	if reg != nil {
		reg.MustRegister(m.attempts, m.duration, m.released, m.depth, m.oldest, m.webhookDepth, m.webhookOldest)
		m.registered = true
	}
	return m
}

func (m *metrics) observe(kind, outcome string, d time.Duration) {
	m.attempts.WithLabelValues(kind, outcome).Inc()
	m.duration.WithLabelValues(kind).Observe(d.Seconds())
}
