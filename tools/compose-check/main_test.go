package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// valid mirrors the shape of docker-compose.source.yaml: a database with its
// data volume, a one-shot migration (completed_successfully) and a seeder we
// build (its Dockerfile is seederDockerfile).
const valid = `
name: ${PROJECT_NAME}
services:
  postgres:
    image: postgres:16.4-alpine
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}
    ports: ["127.0.0.1:${PG_PORT:-5432}:5432"]
    volumes: [pgdata:/var/lib/postgresql/data]
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
    command: ["echo", "$$HOME"]
    healthcheck:
      test: ["CMD", "true"]
    depends_on:
      flyway: {condition: service_completed_successfully}
    networks: [storefront]
networks:
  storefront:
    name: storefront
    external: true
volumes:
  pgdata:
`

const seederDockerfile = "FROM node:22-bookworm-slim AS build\nRUN true\nFROM build AS runtime\n"

// registry is a run-java image (apicurio) appended to valid.
const registry = `
  registry:
    image: apicurio/apicurio-registry:3.3.3
    env_file: [jvm.env]
    healthcheck:
      test: ["CMD", "true"]
`

const env = "PROJECT_NAME=storefront\nPOSTGRES_PASSWORD=secret\nFLYWAY_TAG=10.17\n"

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		compose string
		env     string
		want    []string // substrings of the output; first "ok" means success
		files   map[string]string
	}{
		{"valid file passes", valid, env,
			[]string{"ok docker-compose.yaml: 3 services (postgres, flyway, seeder)"}, nil},
		{"undefined service in depends_on", strings.Replace(valid, "flyway: {condition", "flyweight: {condition", 1), env,
			[]string{`service "seeder" depends on undefined service "flyweight"`}, nil},
		{"undefined network", strings.Replace(valid, "networks: [storefront]\n  flyway", "networks: [backend]\n  flyway", 1), env,
			[]string{`refers to undefined network backend`}, nil},
		{"bad port syntax", strings.Replace(valid, `"127.0.0.1:${PG_PORT:-5432}:5432"`, `"127.0.0.1:abc:5432"`, 1), env,
			[]string{`abc`}, nil},
		{"schema violation", strings.Replace(valid, "build: ./seeder", "build: ./seeder\n    bogus: 1", 1), env,
			[]string{`services.seeder.bogus`}, nil},
		{"port bound to 0.0.0.0", strings.Replace(valid, "127.0.0.1:", "0.0.0.0:", 1), env,
			[]string{`service "postgres": port 5432:5432 binds 0.0.0.0`}, nil},
		{"port without host ip", strings.Replace(valid, "127.0.0.1:", "", 1), env,
			[]string{`service "postgres": port 5432:5432 binds all interfaces`}, nil},
		{"plain variable unset", valid, "PROJECT_NAME=storefront\nPOSTGRES_PASSWORD=secret\n",
			[]string{`services.flyway.image: variable "FLYWAY_TAG" is not set`}, nil},
		{"required variable unset", valid, "PROJECT_NAME=storefront\nFLYWAY_TAG=10.17\n",
			[]string{`required variable POSTGRES_PASSWORD is missing a value: set it in .env`}, nil},
		{"image latest", strings.Replace(valid, "postgres:16.4-alpine", "postgres:latest", 1), env,
			[]string{`service "postgres": image "postgres:latest" uses the :latest tag`}, nil},
		{"image without tag", strings.Replace(valid, "postgres:16.4-alpine", "localhost:5000/postgres", 1), env,
			[]string{`image "localhost:5000/postgres" has no explicit tag`}, nil},
		{"missing healthcheck", strings.Replace(valid, "    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -U postgres\"]\n", "", 1), env,
			[]string{`service "postgres": long-running service has no healthcheck`}, nil},
		{"image VOLUME without a mount", strings.Replace(valid, "    volumes: [pgdata:/var/lib/postgresql/data]\n", "", 1), env,
			[]string{`service "postgres": image postgres declares VOLUME /var/lib/postgresql/data`}, nil},
		{"a built image inherits its base's VOLUMEs", valid, env,
			[]string{`service "seeder": image apache/kafka declares VOLUME /etc/kafka/secrets`,
				`declares VOLUME /var/lib/kafka/data`, `declares VOLUME /mnt/shared/config`},
			map[string]string{"seeder/Dockerfile": "ARG V\nFROM --platform=linux/amd64 apache/kafka:${V}\n"}},
		{"tmpfs covers an inherited VOLUME",
			strings.Replace(valid, "    build: ./seeder\n", "    build: ./seeder\n    tmpfs: [/etc/kafka/secrets, /var/lib/kafka/data]\n    volumes: [{type: tmpfs, target: /mnt/shared/config}]\n", 1), env,
			[]string{"ok "}, map[string]string{"seeder/Dockerfile": "FROM apache/kafka:4.3.1\n"}},
		{"GC flag in JAVA_OPTS_APPEND of a run-java image", strings.Replace(valid, "\nnetworks:", registry+"networks:", 1), env,
			[]string{`service "registry": JAVA_OPTS_APPEND selects a garbage collector (-XX:+UseSerialGC)`, `Multiple garbage collectors selected`},
			map[string]string{"jvm.env": "JAVA_OPTS_APPEND=-Xmx192m -XX:+UseSerialGC\n"}},
		{"GC flag in GC_CONTAINER_OPTIONS of a run-java image", strings.Replace(valid, "\nnetworks:", registry+"networks:", 1), env,
			[]string{"ok "}, map[string]string{"jvm.env": "GC_CONTAINER_OPTIONS=-XX:+UseSerialGC\nJAVA_OPTS_APPEND=-Xmx192m\n"}},
		{"one-shot service nobody waits for", strings.Replace(valid, "    command: [\"echo\", \"$$HOME\"]\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n", "    restart: \"no\"\n", 1), env,
			[]string{`service "seeder": one-shot service that no service waits for`}, nil},
		{"problems are all listed", strings.Replace(strings.Replace(valid, "127.0.0.1:", "", 1), "16.4-alpine", "latest", 1), env,
			[]string{`binds all interfaces`, `uses the :latest tag`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "docker-compose.yaml"), tc.compose)
			write(t, filepath.Join(dir, ".env"), tc.env)
			files := map[string]string{"seeder/Dockerfile": seederDockerfile}
			for name, content := range tc.files {
				files[name] = content
			}
			for name, content := range files {
				write(t, filepath.Join(dir, name), content)
			}
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
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
