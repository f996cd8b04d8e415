package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// createDatabase makes a fresh database on the server of rootDSN (which names no database).
func createDatabase(ctx context.Context, rootDSN, name string) error {
	db, err := sql.Open("mysql", rootDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	return err
}

func dropDatabase(rootDSN, name string) error {
	db, err := sql.Open("mysql", rootDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`")
	return err
}

func flushRedis(addr string, db int) error {
	c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.FlushDB(ctx).Err()
}

// account is a person's login; tokens are refreshed when they near the end of their 15 minutes.
type account struct {
	access, refresh string
	issued          time.Time
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func (a *account) set(t tokens) {
	a.access, a.refresh, a.issued = t.AccessToken, t.RefreshToken, time.Now()
}

// platform is a platform set up for the load: its key and webhook endpoint.
type platform struct {
	name, slug, id, key string
}

// fixture is everything the scenarios use.
type fixture struct {
	api        *api
	admin      account
	moderators []*account
	consumers  []*account
	a, b       platform
}

type idOnly struct {
	ID string `json:"id"`
}

// setup makes the accounts, platforms, API keys and webhook endpoints over the API.
func setup(ctx context.Context, c *api, rcv *receiver, adminEmail, adminPassword string, consumers, moderators int) (*fixture, error) {
	f := &fixture{api: c}
	var t tokens
	if err := c.expect(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPassword}, http.StatusOK, &t); err != nil {
		return nil, fmt.Errorf("admin login: %w", err)
	}
	f.admin.set(t)

	f.a = platform{name: "负载平台A", slug: "load-a"}
	f.b = platform{name: "负载平台B", slug: "load-b"}
	for _, p := range []*platform{&f.a, &f.b} {
		var out idOnly
		if err := c.expect(ctx, http.MethodPost, "/api/v1/admin/platforms", f.admin.access, map[string]any{
			"name": p.name, "slug": p.slug, "sector": "digital_retail", "tags": []string{"综合电商"},
			"onboarded": true, "after_sales_contact": map[string]string{"phone": "95188"},
		}, http.StatusCreated, &out); err != nil {
			return nil, fmt.Errorf("platform %s: %w", p.slug, err)
		}
		p.id = out.ID
		var key struct {
			Key string `json:"key"`
		}
		if err := c.expect(ctx, http.MethodPost, "/api/v1/admin/platforms/"+p.id+"/api-keys", f.admin.access,
			map[string]string{"name": "load"}, http.StatusCreated, &key); err != nil {
			return nil, fmt.Errorf("API key of %s: %w", p.slug, err)
		}
		p.key = key.Key
		if err := c.expect(ctx, http.MethodPost, "/api/v1/platform/webhook-endpoints", p.key,
			map[string]any{"url": rcv.url(p.slug), "event_types": []string{}, "description": "load receiver"},
			http.StatusCreated, nil); err != nil {
			return nil, fmt.Errorf("webhook endpoint of %s: %w", p.slug, err)
		}
	}

	for i := 0; i < moderators; i++ {
		email := fmt.Sprintf("moderator%d@load.example.com", i+1)
		if err := c.expect(ctx, http.MethodPost, "/api/v1/admin/users", f.admin.access, map[string]string{
			"role": "moderator", "email": email, "password": "moderator-password-1", "real_name": "审核员",
		}, http.StatusCreated, nil); err != nil {
			return nil, fmt.Errorf("moderator: %w", err)
		}
		if err := c.expect(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": "moderator-password-1"}, http.StatusOK, &t); err != nil {
			return nil, fmt.Errorf("moderator login: %w", err)
		}
		m := &account{}
		m.set(t)
		f.moderators = append(f.moderators, m)
	}

	// Registration hashes a password per account: a few at a time.
	f.consumers = make([]*account, consumers)
	errs := make([]error, consumers)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range f.consumers {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			var t tokens
			errs[i] = c.expect(ctx, http.MethodPost, "/api/v1/auth/register", "", map[string]string{
				"role": "consumer", "phone": consumerPhone(i), "password": "consumer-password-1", "real_name": "张三",
			}, http.StatusCreated, &t)
			f.consumers[i] = &account{}
			f.consumers[i].set(t)
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("consumer %d: %w", i, err)
		}
	}
	return f, nil
}

func consumerPhone(i int) string { return fmt.Sprintf("1380000%04d", i) }

// refreshTokens renews every access token older than ten minutes (they live fifteen).
func (f *fixture) refreshTokens(ctx context.Context) error {
	all := append([]*account{&f.admin}, f.moderators...)
	all = append(all, f.consumers...)
	for _, a := range all {
		if time.Since(a.issued) < 10*time.Minute {
			continue
		}
		var t tokens
		if err := f.api.expect(ctx, http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.refresh}, http.StatusOK, &t); err != nil {
			return fmt.Errorf("token refresh: %w", err)
		}
		a.set(t)
	}
	return nil
}
