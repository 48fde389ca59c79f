package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// valid mirrors the shape of docker-compose.source.yaml: a database, a
// one-shot migration (completed_successfully) and a restart: "no" seeder.
const valid = `
name: ${PROJECT_NAME}
services:
  postgres:
    image: postgres:16.4-alpine
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}
    ports: ["127.0.0.1:${PG_PORT:-5432}:5432"]
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
    networks: [storefront]
  flyway:
    image: ${REGISTRY:-docker.io}/flyway/flyway:${FLYWAY_TAG}
    depends_on:
      postgres: {condition: service_healthy}
    networks: [storefront]
  seeder:
    build: ./seeder
    restart: "no"
    command: ["echo", "$$HOME"]
    depends_on:
      flyway: {condition: service_completed_successfully}
    networks: [storefront]
networks:
  storefront:
    name: storefront
    external: true
`

const env = "PROJECT_NAME=storefront\nPOSTGRES_PASSWORD=secret\nFLYWAY_TAG=10.17\n"

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		compose string
		env     string
		want    []string // substrings of the output; first "ok" means success
	}{
		{"valid file passes", valid, env,
			[]string{"ok docker-compose.yaml: 3 services (postgres, flyway, seeder)"}},
		{"undefined service in depends_on", strings.Replace(valid, "flyway: {condition", "flyweight: {condition", 1), env,
			[]string{`service "seeder" depends on undefined service "flyweight"`}},
		{"undefined network", strings.Replace(valid, "networks: [storefront]\n  flyway", "networks: [backend]\n  flyway", 1), env,
			[]string{`refers to undefined network backend`}},
		{"bad port syntax", strings.Replace(valid, `"127.0.0.1:${PG_PORT:-5432}:5432"`, `"127.0.0.1:abc:5432"`, 1), env,
			[]string{`abc`}},
		{"schema violation", strings.Replace(valid, "restart: \"no\"", "restart: \"no\"\n    bogus: 1", 1), env,
			[]string{`services.seeder.bogus`}},
		{"port bound to 0.0.0.0", strings.Replace(valid, "127.0.0.1:", "0.0.0.0:", 1), env,
			[]string{`service "postgres": port 5432:5432 binds 0.0.0.0`}},
		{"port without host ip", strings.Replace(valid, "127.0.0.1:", "", 1), env,
			[]string{`service "postgres": port 5432:5432 binds all interfaces`}},
		{"plain variable unset", valid, "PROJECT_NAME=storefront\nPOSTGRES_PASSWORD=secret\n",
			[]string{`services.flyway.image: variable "FLYWAY_TAG" is not set`}},
		{"required variable unset", valid, "PROJECT_NAME=storefront\nFLYWAY_TAG=10.17\n",
			[]string{`required variable POSTGRES_PASSWORD is missing a value: set it in .env`}},
		{"image latest", strings.Replace(valid, "postgres:16.4-alpine", "postgres:latest", 1), env,
			[]string{`service "postgres": image "postgres:latest" uses the :latest tag`}},
		{"image without tag", strings.Replace(valid, "postgres:16.4-alpine", "localhost:5000/postgres", 1), env,
			[]string{`image "localhost:5000/postgres" has no explicit tag`}},
		{"missing healthcheck", strings.Replace(valid, "    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -U postgres\"]\n", "", 1), env,
			[]string{`service "postgres": long-running service has no healthcheck`}},
		{"problems are all listed", strings.Replace(strings.Replace(valid, "127.0.0.1:", "", 1), "16.4-alpine", "latest", 1), env,
			[]string{`binds all interfaces`, `uses the :latest tag`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "docker-compose.yaml"), tc.compose)
			write(t, filepath.Join(dir, ".env"), tc.env)
			t.Chdir(dir) // file names are printed as given, like from the repo root

			var stdout, stderr bytes.Buffer
			code := run(context.Background(), &stdout, &stderr, "", nil, []string{"docker-compose.yaml"})
			out := stdout.String() + stderr.String()
			t.Log(strings.TrimSpace(out))
			wantOK := strings.HasPrefix(tc.want[0], "ok ")
			if (code == 0) != wantOK {
				t.Fatalf("exit code %d, want ok=%v; output:\n%s", code, wantOK, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q; got:\n%s", w, out)
				}
			}
		})
	}
}

// The OS environment must not leak into interpolation (reproducible CI).
func TestOSEnvIgnored(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "docker-compose.yaml"), valid)
	write(t, filepath.Join(dir, "ci.env"), "PROJECT_NAME=storefront\nPOSTGRES_PASSWORD=secret\n")
	t.Setenv("FLYWAY_TAG", "10.17")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), &stdout, &stderr, dir, []string{filepath.Join(dir, "ci.env")},
		[]string{filepath.Join(dir, "docker-compose.yaml")})
	if code != 1 || !strings.Contains(stderr.String(), `"FLYWAY_TAG" is not set`) {
		t.Fatalf("want FLYWAY_TAG reported despite OS env; code %d, stderr:\n%s", code, stderr.String())
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
