// Command compose-check validates Docker Compose files with the Compose
// specification's own loader (github.com/compose-spec/compose-go/v2, the
// library Docker Compose uses) and then enforces a few house rules.
//
// Usage (from the repository root):
//
//	go run ./tools/compose-check [--env-file .env] [--project-dir DIR] FILE...
//
// Each FILE is loaded as its own project, as `docker compose -f FILE` would.
// It exits 0 and prints one "ok" line per file, or exits 1 listing every
// problem found.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
)

func main() {
	fs := flag.NewFlagSet("compose-check", flag.ExitOnError)
	var envFiles []string
	fs.Func("env-file", "env file used for interpolation (repeatable; default: PROJECT_DIR/.env if present)",
		func(s string) error { envFiles = append(envFiles, s); return nil })
	projectDir := fs.String("project-dir", "", "project directory (default: directory of each FILE, as docker compose)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: compose-check [--env-file FILE]... [--project-dir DIR] COMPOSE_FILE...")
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() == 0 {
		fs.Usage()
		os.Exit(2)
	}
	os.Exit(run(context.Background(), os.Stdout, os.Stderr, *projectDir, envFiles, fs.Args()))
}

// run checks every file and returns the process exit code.
func run(ctx context.Context, stdout, stderr io.Writer, projectDir string, envFiles, files []string) int {
	code := 0
	for _, file := range files {
		project, problems := check(ctx, file, projectDir, envFiles)
		if len(problems) > 0 {
			code = 1
			for _, p := range problems {
				fmt.Fprintf(stderr, "FAIL %s: %s\n", file, p)
			}
			continue
		}
		names := orderedServiceNames(project)
		fmt.Fprintf(stdout, "ok %s: %d services (%s)\n", file, len(names), strings.Join(names, ", "))
	}
	return code
}

// check loads one compose file as its own project and applies the house rules.
func check(ctx context.Context, file, projectDir string, envFiles []string) (*types.Project, []string) {
	// Option order matters: WithEnvFiles looks for .env in the working
	// directory, and WithDotEnv reads whatever WithEnvFiles selected.
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(projectDir), // "" = directory of FILE, like docker compose
		cli.WithEnvFiles(envFiles...),        // none given = PROJECT_DIR/.env if it exists
		cli.WithDotEnv,
		// Deliberately NOT cli.WithOsEnv: only the env file(s) feed
		// interpolation, so a variable that happens to be exported in a
		// developer shell or CI runner cannot mask a missing .env entry and
		// results are reproducible.
		cli.WithProfiles([]string{"*"}), // check services behind every profile
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true), // undefined services/networks/volumes are errors
		cli.WithLoadOptions(strictInterpolation),
	)
	if err != nil {
		return nil, flatten(err)
	}
	project, err := opts.LoadProject(ctx)
	if err != nil {
		return nil, flatten(err)
	}
	return project, houseRules(project)
}

// strictInterpolation makes `${VAR}` / `$VAR` with VAR unset an error; the
// stock loader only logs a warning and substitutes "". Load options are also
// applied to a zero loader.Options (by loader.LoadConfigFiles), where
// Interpolate is nil, hence the guard.
func strictInterpolation(o *loader.Options) {
	if o.Interpolate == nil {
		return
	}
	strict := *o.Interpolate // keep LookupValue and TypeCastMapping
	strict.Substitute = strictSubstitute
	o.Interpolate = &strict
}

type unsetVariableError string

func (e unsetVariableError) Error() string {
	return fmt.Sprintf("variable %q is not set in the env file and has no default", string(e))
}

func strictSubstitute(s string, m template.Mapping) (string, error) {
	return template.SubstituteWithOptions(s, m, template.WithReplacementFunction(strictReplace), template.WithoutLogging)
}

func strictReplace(match string, m template.Mapping, cfg *template.Config) (string, error) {
	// DefaultPattern is greedy: "${A:-x}/${B}" arrives as one match, and the
	// library substitutes the part after the first closing brace leniently.
	// Split it off and substitute it strictly ourselves.
	head, rest := match, ""
	if i := closingBrace(match); i >= 0 {
		head, rest = match[:i+1], match[i+1:]
	}
	value, applied, err := template.DefaultReplacementAppliedFunc(head, m, cfg)
	if err != nil {
		return "", err
	}
	if !applied { // plain reference, variable unset
		return "", unsetVariableError(strings.Trim(head, "${}"))
	}
	tail, err := strictSubstitute(rest, m)
	return value + tail, err
}

// closingBrace returns the index of the brace closing the leading "${".
func closingBrace(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '{':
			depth++
		case s[i] == '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// houseRules returns one message per violation, ordered by service name.
func houseRules(p *types.Project) []string {
	oneShot := map[string]bool{}
	awaited := map[string]bool{} // one-shots another service waits for
	for _, s := range p.Services {
		if s.Restart == types.RestartPolicyNo {
			oneShot[s.Name] = true
		}
		for dep, d := range s.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				oneShot[dep] = true
				awaited[dep] = true
			}
		}
	}
	var problems []string
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("service %q: ", name)+fmt.Sprintf(format, args...))
		}
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				ip := port.HostIP
				if ip == "" {
					ip = "all interfaces"
				}
				bad("port %s:%d binds %s; publish it as \"127.0.0.1:%s:%d\"",
					port.Published, port.Target, ip, port.Published, port.Target)
			}
		}
		if s.Image != "" { // the loader already rejects neither image nor build
			if msg := imageProblem(s.Image); msg != "" {
				bad("image %q %s", s.Image, msg)
			}
		}
		hc := s.HealthCheck
		noCheck := hc == nil || hc.Disable || len(hc.Test) == 0 || hc.Test[0] == "NONE"
		if noCheck && !oneShot[name] {
			bad(`long-running service has no healthcheck (add one, or mark it one-shot with restart: "no")`)
		}
		if oneShot[name] && !awaited[name] {
			bad("one-shot service that no service waits for (depends_on with condition: " +
				"service_completed_successfully): `docker compose up --wait` exits 1 once it exits, even with status 0")
		}
		imageRules(p, s, bad)
	}
	return problems
}

// imageProblem accepts name:tag (tag != latest) and digest-pinned references.
func imageProblem(image string) string {
	ref, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return "is not a valid image reference: " + err.Error()
	}
	if _, ok := ref.(reference.Digested); ok {
		return ""
	}
	tagged, ok := ref.(reference.Tagged)
	switch {
	case !ok:
		return "has no explicit tag"
	case tagged.Tag() == "latest":
		return "uses the :latest tag; pin a version"
	}
	return ""
}

// orderedServiceNames lists services dependencies-first, ties by name.
func orderedServiceNames(p *types.Project) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		s, ok := p.Services[name]
		if seen[name] || !ok {
			return
		}
		seen[name] = true
		deps := make([]string, 0, len(s.DependsOn))
		for d := range s.DependsOn {
			deps = append(deps, d)
		}
		slices.Sort(deps)
		for _, d := range deps {
			visit(d)
		}
		out = append(out, name)
	}
	for _, name := range p.ServiceNames() {
		visit(name)
	}
	return out
}

// flatten splits errors.Join trees (the loader joins interpolation errors).
func flatten(err error) []string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []string{err.Error()}
}
