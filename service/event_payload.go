package service

import "encoding/json"

// The bound of a complaint event's body (documented on ComplaintEventData): whatever a
// complaint's history, an event is small enough for the outbox, the dispatcher's batched reads
// and a receiver that reads at most 1 MiB.
const (
	// EventListMax is how many of the latest supplements, and of the latest replies, a
	// complaint event lists.
	EventListMax = 20
	// EventPayloadMaxBytes caps the whole body; older supplements and replies are left out
	// until it fits.
	EventPayloadMaxBytes = 512 << 10
)

// PlatformComplaintPath is where a platform reads the whole complaint id.
func PlatformComplaintPath(id string) string { return "/api/v1/platform/complaints/" + id }

// complaintEventBody marshals ev with its complaint's supplements and replies cut to the latest
// EventListMax each, then to as many of the latest as keep the body within
// EventPayloadMaxBytes. The counts in the complaint stay the totals.
func complaintEventBody(ev ComplaintEvent) ([]byte, error) {
	c := &ev.Data.Complaint
	c.Supplements = latest(c.Supplements, EventListMax)
	c.Replies = latest(c.Replies, EventListMax)
	for {
		body, err := json.Marshal(ev)
		if err != nil || len(body) <= EventPayloadMaxBytes {
			return body, err
		}
		// Leave out the oldest entries, of either list, whose sizes cover the excess; marshal
		// again to be exact.
		over := len(body) - EventPayloadMaxBytes
		dropped := false
		for over > 0 {
			n, ok := dropOldest(c)
			if !ok {
				break
			}
			over -= n
			dropped = true
		}
		if !dropped {
			return body, nil // nothing left to leave out: the complaint alone is far smaller
		}
	}
}

// latest is the last n entries of xs.
func latest[T any](xs []T, n int) []T {
	if len(xs) > n {
		return xs[len(xs)-n:]
	}
	return xs
}

// dropOldest removes the oldest listed supplement or reply and returns the bytes it took in the
// body, its separator included. Times are to the second: on a tie the longer list gives one up,
// a reply when they are as long (no event is about a reply; complaint.supplemented is about
// its last supplement).
func dropOldest(c *ComplaintView) (int, bool) {
	var item any
	s, r := len(c.Supplements), len(c.Replies)
	supplementFirst := false
	switch {
	case s == 0 && r == 0:
		return 0, false
	case r == 0:
		supplementFirst = true
	case s > 0:
		a, b := c.Supplements[0].CreatedAt, c.Replies[0].CreatedAt
		supplementFirst = a < b || (a == b && s > r)
	}
	if supplementFirst {
		item, c.Supplements = c.Supplements[0], c.Supplements[1:]
	} else {
		item, c.Replies = c.Replies[0], c.Replies[1:]
	}
	b, err := json.Marshal(item)
	if err != nil {
		return 1, true
	}
	return len(b) + 1, true
}
