module github.com/dianshubao/dianshubao/webhooks/verify

go 1.22
