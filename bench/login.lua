-- wrk script: a sign-in storm (every request a full argon2id verification).
wrk.method = "POST"
wrk.body = '{"login":"clerk","password":"bangban-demo"}'
wrk.headers["Content-Type"] = "application/json"
