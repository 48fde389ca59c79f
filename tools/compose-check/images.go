package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
)

// imageFacts is what an image's own source declares that a service must
// respect. Nothing here runs Docker, so these come from reading each image's
// Dockerfile and start scripts (the file named in source); read them again
// when the image's version in .env changes.
type imageFacts struct {
	// volumes the image declares with VOLUME: a path without a mount becomes
	// an anonymous volume that `docker compose down` (without -v) leaves behind.
	volumes []string
	// runJava: started by run-java.sh of the ubi openjdk images, whose default
	// options already select a garbage collector (GC_CONTAINER_OPTIONS).
	runJava bool
	source  string
}

// knownImages is keyed by the familiar repository name, as in `image:` or a
// Dockerfile's FROM (an image we build inherits its base image's facts).
var knownImages = map[string]imageFacts{
	"apache/kafka": {
		volumes: []string{"/etc/kafka/secrets", "/var/lib/kafka/data", "/mnt/shared/config"},
		source:  "apache/kafka docker/jvm/Dockerfile",
	},
	"postgres": {
		volumes: []string{"/var/lib/postgresql/data"},
		source:  "docker-library/postgres 17/bookworm/Dockerfile",
	},
	"apicurio/apicurio-registry": {
		runJava: true,
		source: "Apicurio distro/docker/src/main/docker/Dockerfile.jvm; rh-openjdk/redhat-openjdk-containers " +
			"modules/run/artifacts/opt/jboss/container/java/run/run-java.sh",
	},
}

var gcFlag = regexp.MustCompile(`-XX:\+Use\w*GC\b`)

// imageRules applies what knownImages says to one service.
func imageRules(p *types.Project, s types.ServiceConfig, bad func(string, ...any)) {
	base, err := baseImage(p, s)
	if err != nil {
		bad("%v", err)
		return
	}
	facts, ok := knownImages[base]
	if !ok {
		return
	}
	for _, v := range facts.volumes {
		if !mounted(s, v) {
			bad("image %s declares VOLUME %s (%s): mount a named volume or a tmpfs there, "+
				"or every container gets an anonymous volume that `down` leaves behind", base, v, facts.source)
		}
	}
	if opts := s.Environment["JAVA_OPTS_APPEND"]; facts.runJava && opts != nil {
		if flag := gcFlag.FindString(*opts); flag != "" {
			bad("JAVA_OPTS_APPEND selects a garbage collector (%s), but run-java.sh's defaults select one too "+
				"(GC_CONTAINER_OPTIONS, default -XX:+UseParallelGC): the JVM exits with \"Multiple garbage "+
				"collectors selected\". Set GC_CONTAINER_OPTIONS instead (%s)", flag, facts.source)
		}
	}
}

// baseImage is the familiar repository name the service runs: its image, or
// for a service we build, the last FROM of its Dockerfile.
func baseImage(p *types.Project, s types.ServiceConfig) (string, error) {
	image := s.Image
	if s.Build != nil {
		from, err := lastFrom(p, s.Build)
		if err != nil {
			return "", err
		}
		image = from
	}
	named, err := reference.ParseNormalizedNamed(withoutTag(image))
	if err != nil {
		return "", fmt.Errorf("image %q: %v", image, err)
	}
	return reference.FamiliarName(named), nil
}

// withoutTag drops ":tag" and "@digest" (either may hold an unexpanded ${ARG}).
func withoutTag(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		image = image[:i]
	}
	return image
}

// lastFrom reads the image of the Dockerfile's final stage.
func lastFrom(p *types.Project, b *types.BuildConfig) (string, error) {
	if b.DockerfileInline != "" {
		return fromLine(strings.NewReader(b.DockerfileInline))
	}
	dockerfile := b.Dockerfile
	if dockerfile == "" {
		dockerfile = "Dockerfile"
	}
	context := b.Context
	if !filepath.IsAbs(context) {
		context = filepath.Join(p.WorkingDir, context)
	}
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(context, dockerfile)
	}
	f, err := os.Open(dockerfile)
	if err != nil {
		return "", fmt.Errorf("reading its Dockerfile: %v", err)
	}
	defer f.Close()
	image, err := fromLine(f)
	if err != nil {
		return "", fmt.Errorf("%s: %v", dockerfile, err)
	}
	return image, nil
}

// fromLine returns the final stage's image, following `FROM <earlier stage>`.
func fromLine(r io.Reader) (string, error) {
	var image string
	stages := map[string]string{}
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) < 2 || !strings.EqualFold(fields[0], "FROM") {
			continue
		}
		args := slices.DeleteFunc(fields[1:], func(f string) bool { return strings.HasPrefix(f, "--") })
		if len(args) == 0 {
			continue
		}
		image = args[0]
		if earlier, ok := stages[strings.ToLower(image)]; ok {
			image = earlier
		}
		if len(args) == 3 && strings.EqualFold(args[1], "AS") {
			stages[strings.ToLower(args[2])] = image
		}
	}
	if image == "" {
		return "", fmt.Errorf("no FROM line")
	}
	return image, scanner.Err()
}

// mounted: a volume, bind or tmpfs mount (long or short syntax) at path.
func mounted(s types.ServiceConfig, path string) bool {
	for _, v := range s.Volumes {
		if filepath.Clean(v.Target) == path {
			return true
		}
	}
	for _, t := range s.Tmpfs {
		if target, _, _ := strings.Cut(t, ":"); filepath.Clean(target) == path {
			return true
		}
	}
	return false
}
