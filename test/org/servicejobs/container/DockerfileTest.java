package org.servicejobs.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docker/Dockerfile and docker/docker-compose.yml, without Docker: the Dockerfile is parsed and
 * checked (pinned bases, non-root user, healthcheck, volume, port), and its build stage is
 * replayed: the files it copies into the build stage are copied into a temporary folder, and the
 * Maven command it runs is run there, offline. What the runtime stage copies from the build
 * stage must then be exactly what that build made, and be a runnable service: the jar's main
 * class, its class path, every class and resource of the project, and the configuration.
 */
class DockerfileTest {
    private static final Path ROOT = Paths.get("").toAbsolutePath();
    private static final Path DOCKERFILE = ROOT.resolve("docker/Dockerfile");
    private static final Path COMPOSE = ROOT.resolve("docker/docker-compose.yml");
    /** Where JobsProcess reads its configuration, relative to the working directory. */
    private static final String CONFIG_FILE = "config/config.yml";
    private static final long BUILD_TIMEOUT_MINUTES = 10;

    private static List<Stage> stages;

    /** One Dockerfile instruction, continuation lines joined. */
    record Instruction(String keyword, String args) {
    }

    /** A FROM and the instructions after it. */
    record Stage(String image, String name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(instruction -> instruction.keyword.equals(keyword)).toList();
        }

        Instruction last(String keyword) {
            List<Instruction> found = all(keyword);
            assertFalse(found.isEmpty(), "stage " + image + " has a " + keyword);
            return found.get(found.size() - 1);
        }

        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (Instruction instruction : all("ENV"))
                env.putAll(parseEnv(instruction.args));
            return env;
        }
    }

    /** A COPY: its --from stage (or null), sources and destination. */
    record Copy(String from, List<String> sources, String destination) {
    }

    @BeforeAll
    static void parseDockerfile() throws IOException {
        stages = parse(Files.readAllLines(DOCKERFILE, StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- the Dockerfile as written

    @Test
    void isMultiStageOnPinnedImages() {
        assertTrue(stages.size() >= 2, "a build stage and a runtime stage");
        Set<String> names = new TreeSet<>();
        for (Stage stage : stages) {
            if (!names.contains(stage.image))
                assertPinned(stage.image);
            if (stage.name != null)
                names.add(stage.name);
        }
    }

    @Test
    void runsAsNonRootUser() {
        String user = runtime().last("USER").args.trim().split(":")[0];
        assertFalse(user.isEmpty() || user.equals("root") || user.equals("0"), "USER " + user);
    }

    @Test
    void checksHealthOnTheHeartbeatRoute() {
        String healthcheck = runtime().last("HEALTHCHECK").args;
        assertTrue(healthcheck.contains("CMD"), healthcheck);
        assertTrue(healthcheck.contains("/heartbeat"), healthcheck);
        // The port it calls is the one the service listens on.
        assertTrue(healthcheck.contains("${HTTP_PORT}") || healthcheck.contains(runtime().env().get("HTTP_PORT")),
                healthcheck);
    }

    @Test
    void keepsTheFileStoreInAVolume() {
        String path = runtime().env().get("FILE_PATH");
        assertNotNull(path, "ENV FILE_PATH");
        Set<String> volumes = new TreeSet<>();
        for (Instruction volume : runtime().all("VOLUME"))
            volumes.addAll(words(volume.args));
        assertEquals(Set.of(path), volumes);
    }

    @Test
    void exposesTheHttpPort() {
        String port = runtime().env().get("HTTP_PORT");
        assertNotNull(port, "ENV HTTP_PORT");
        Set<String> exposed = new TreeSet<>();
        for (Instruction expose : runtime().all("EXPOSE"))
            words(expose.args).forEach(word -> exposed.add(word.replaceFirst("/tcp$", "")));
        assertEquals(Set.of(port), exposed);
    }

    // ---------------------------------------------------------------- the build stage, replayed

    @Test
    void runtimeStageGetsWhatTheBuildStageMakes(@TempDir Path context) throws Exception {
        Stage build = stages.get(0);
        String buildDir = build.last("WORKDIR").args.trim();

        // COPY into the build stage: from the project root into the temporary folder.
        for (Instruction instruction : build.all("COPY")) {
            Copy copy = parseCopy(instruction.args);
            assertEquals(null, copy.from, "the build stage copies from the build context");
            for (String source : copy.sources)
                copyTree(ROOT.resolve(source), context.resolve(inStage(buildDir, copy.destination, source)));
        }
        List<String> command = mavenPackageCommand(build);
        long started = System.nanoTime();
        String output = run(command, context);
        System.out.printf("DockerfileTest: %s took %d s%n", String.join(" ", command),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

        // What the build made: one runnable jar and the folder of its class path.
        Path target = context.resolve("target");
        List<Path> jars;
        try (Stream<Path> files = Files.list(target)) {
            jars = files.filter(file -> file.toString().endsWith(".jar")).toList();
        }
        assertEquals(1, jars.size(), "one jar in target: " + jars + "\n" + output);
        Path jar = jars.get(0);
        Attributes manifest;
        try (JarFile file = new JarFile(jar.toFile())) {
            manifest = file.getManifest().getMainAttributes();
        }
        assertEquals(JobsProcess.class.getName(), manifest.getValue(Attributes.Name.MAIN_CLASS));
        List<String> classPath = words(manifest.getValue(Attributes.Name.CLASS_PATH));
        assertFalse(classPath.isEmpty(), "Class-Path");
        Set<String> libFolders = classPath.stream().map(entry -> Paths.get(entry).getParent().toString())
                .collect(Collectors.toSet());
        assertEquals(1, libFolders.size(), "one library folder: " + libFolders);
        String libFolder = libFolders.iterator().next();
        Set<String> libraries;
        try (Stream<Path> files = Files.list(target.resolve(libFolder))) {
            libraries = files.map(file -> libFolder + "/" + file.getFileName()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(new TreeSet<>(classPath), libraries, "the Class-Path is the library folder");
        assertJarHasTheProject(jar);

        // COPY --from=<build stage> into the runtime stage: exactly the jar and the library folder.
        Map<String, Path> image = new TreeMap<>();
        Set<String> copiedFromBuild = new TreeSet<>();
        for (Instruction instruction : runtime().all("COPY")) {
            Copy copy = parseCopy(instruction.args);
            for (String source : copy.sources) {
                Path local;
                if (copy.from == null) {
                    local = ROOT.resolve(source);
                } else {
                    assertTrue(copy.from.equals(build.name) || copy.from.equals("0"), "COPY --from=" + copy.from);
                    String relative = relativeTo(buildDir, source);
                    copiedFromBuild.add(relative);
                    local = context.resolve(relative);
                }
                assertTrue(Files.exists(local), "COPY " + source + ": " + local + " does not exist");
                addToImage(image, local, copy.destination, copy.sources.size() > 1);
            }
        }
        assertEquals(Set.of("target/" + jar.getFileName(), "target/" + libFolder), copiedFromBuild);

        // The image runs: the entry point's jar, its class path beside it, the configuration in WORKDIR.
        String entrypoint = runtime().last("ENTRYPOINT").args;
        String imageJar = image.keySet().stream().filter(file -> file.endsWith("/" + jar.getFileName()))
                .findFirst().orElseThrow(() -> new AssertionError("the jar is not in the image"));
        assertTrue(entrypoint.contains(imageJar), entrypoint + " runs " + imageJar);
        String jarFolder = imageJar.substring(0, imageJar.lastIndexOf('/'));
        for (String entry : classPath)
            assertTrue(image.containsKey(jarFolder + "/" + entry), "the image has " + jarFolder + "/" + entry);
        String workdir = runtime().last("WORKDIR").args.trim();
        assertTrue(image.containsKey(workdir + "/" + CONFIG_FILE), "the image has " + workdir + "/" + CONFIG_FILE);
        assertTrue(Files.isRegularFile(ROOT.resolve(CONFIG_FILE)));
    }

    // ---------------------------------------------------------------- docker-compose.yml

    @Test
    void composeRunsTheServiceOnMongoDb() throws IOException, URISyntaxException {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
        JsonNode services = compose.path("services");
        JsonNode mongo = services.path("mongo");
        assertFalse(mongo.isMissingNode(), "a mongo service");
        assertPinned(mongo.path("image").asText());

        JsonNode jobs = services.path("jobs");
        assertFalse(jobs.isMissingNode(), "a jobs service");
        Path context = COMPOSE.getParent().resolve(jobs.path("build").path("context").asText()).normalize();
        assertEquals(ROOT.normalize(), context, "the build context is the project root");
        assertEquals(DOCKERFILE.normalize(), context.resolve(jobs.path("build").path("dockerfile").asText()).normalize());

        Map<String, String> env = composeEnv(jobs.path("environment"));
        assertFalse(env.getOrDefault("MONGO_ENABLED", "").isEmpty(), "MONGO_ENABLED is set");
        URI uri = new URI(env.getOrDefault("MONGO_SERVICE_URI", ""));
        assertEquals("mongodb", uri.getScheme());
        assertEquals("mongo", uri.getHost(), "MONGO_SERVICE_URI names the mongo service");
        assertTrue(jobs.path("depends_on").has("mongo") || contains(jobs.path("depends_on"), "mongo"),
                "jobs depends on mongo");

        String port = env.getOrDefault("HTTP_PORT", runtime().env().get("HTTP_PORT"));
        for (JsonNode mapping : jobs.path("ports")) {
            String[] parts = mapping.asText().split(":");
            assertEquals(port, parts[parts.length - 1], "the published port is HTTP_PORT");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Stage runtime() {
        return stages.get(stages.size() - 1);
    }

    /** Instructions by stage: comments dropped, continuation lines joined. */
    static List<Stage> parse(List<String> lines) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty() && current.isEmpty())
                continue;
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String text = current.toString().strip();
            current.setLength(0);
            if (text.isEmpty())
                continue;
            String[] parts = text.split("\\s+", 2);
            instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""));
        }
        List<Stage> stages = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword.equals("FROM")) {
                List<String> words = words(instruction.args).stream().filter(word -> !word.startsWith("--")).toList();
                String name = words.size() >= 3 && words.get(1).equalsIgnoreCase("AS") ? words.get(2) : null;
                stages.add(new Stage(words.get(0), name, new ArrayList<>()));
            } else {
                assertFalse(stages.isEmpty(), instruction.keyword + " before FROM");
                stages.get(stages.size() - 1).instructions.add(instruction);
            }
        }
        return stages;
    }

    /** An image with a version tag (digits, not latest) or a digest. */
    private static void assertPinned(String image) {
        assertFalse(image.contains("$"), image + " is pinned in the file");
        if (image.contains("@sha256:"))
            return;
        String name = image.substring(image.lastIndexOf('/') + 1);
        int colon = name.indexOf(':');
        assertTrue(colon > 0, image + " has a tag");
        String tag = name.substring(colon + 1);
        assertFalse(tag.equalsIgnoreCase("latest"), image + " is not latest");
        assertTrue(tag.matches(".*\\d.*"), image + " has a version in its tag");
    }

    private static Map<String, String> parseEnv(String args) {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> words = words(args);
        if (!words.isEmpty() && !words.get(0).contains("=")) {
            env.put(words.get(0), args.strip().substring(words.get(0).length()).strip());
            return env;
        }
        for (String word : words) {
            int equals = word.indexOf('=');
            assertTrue(equals > 0, "ENV " + word);
            env.put(word.substring(0, equals), unquote(word.substring(equals + 1)));
        }
        return env;
    }

    private static Copy parseCopy(String args) {
        String from = null;
        List<String> paths = new ArrayList<>();
        for (String word : words(args)) {
            if (word.startsWith("--from="))
                from = word.substring("--from=".length());
            else if (!word.startsWith("--"))
                paths.add(word);
        }
        assertTrue(paths.size() >= 2, "COPY " + args);
        for (String path : paths)
            assertFalse(path.contains("*") || path.contains("?"), "no wildcards in COPY " + args);
        return new Copy(from, paths.subList(0, paths.size() - 1), paths.get(paths.size() - 1));
    }

    /** Words of an instruction: a JSON array, or split on blanks. */
    private static List<String> words(String args) {
        if (args == null)
            return List.of();
        String text = args.strip();
        if (text.startsWith("[")) {
            try {
                List<String> words = new ArrayList<>();
                new ObjectMapper().readTree(text).forEach(word -> words.add(word.asText()));
                return words;
            } catch (IOException ex) {
                throw new AssertionError("not a JSON array: " + text, ex);
            }
        }
        return text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
    }

    private static String unquote(String value) {
        return value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'")) ? value.substring(1, value.length() - 1) : value;
    }

    /** A path of a stage relative to its WORKDIR: where a COPY destination lands. */
    private static String inStage(String workdir, String destination, String source) {
        String relative = relativeTo(workdir, destination);
        if (destination.endsWith("/") || relative.equals("."))
            relative = (relative.equals(".") ? "" : relative + "/") + Paths.get(source).getFileName();
        return relative;
    }

    private static String relativeTo(String workdir, String path) {
        Path base = Paths.get(workdir);
        Path resolved = base.resolve(path).normalize();
        assertTrue(resolved.startsWith(base), path + " is inside " + workdir);
        String relative = base.relativize(resolved).toString();
        return relative.isEmpty() ? "." : relative;
    }

    private static void copyTree(Path source, Path destination) throws IOException {
        assertTrue(Files.exists(source), "COPY " + ROOT.relativize(source) + ": it does not exist");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = destination.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Files a runtime COPY puts in the image, by their path in the image. */
    private static void addToImage(Map<String, Path> image, Path local, String destination, boolean intoFolder)
            throws IOException {
        String base = destination.replaceAll("/+$", "");
        if (Files.isDirectory(local)) {
            try (Stream<Path> files = Files.walk(local)) {
                files.filter(Files::isRegularFile).forEach(file ->
                        image.put(base + "/" + local.relativize(file).toString().replace(File.separatorChar, '/'), file));
            }
        } else {
            image.put(intoFolder || destination.endsWith("/") ? base + "/" + local.getFileName() : base, local);
        }
    }

    /**
     * The build stage's Maven package command. Not offline: on a fresh machine the test run has
     * not fetched the packaging plugins yet; the artifacts it did fetch are reused.
     */
    private static List<String> mavenPackageCommand(Stage build) {
        for (Instruction instruction : build.all("RUN")) {
            List<String> words = words(instruction.args);
            if (!words.isEmpty() && words.get(0).equals("mvn") && words.contains("package")) {
                assertFalse(words.stream().anyMatch(word -> word.matches("[;&|<>].*")),
                        "one plain Maven command: " + instruction.args);
                List<String> command = new ArrayList<>();
                command.add(maven().toString());
                command.addAll(words.subList(1, words.size()));
                return command;
            }
        }
        throw new AssertionError("the build stage runs mvn ... package");
    }

    private static Path maven() {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path mvn = Paths.get(folder, "mvn");
            if (Files.isExecutable(mvn))
                return mvn;
        }
        throw new AssertionError("mvn is not on the PATH");
    }

    /** Runs a command in a folder; fails with its output unless it exits 0 in time. */
    private static String run(List<String> command, Path folder) throws IOException, InterruptedException {
        Path log = Files.createTempFile(folder.getParent(), "mvn-", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(folder.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES);
            if (!done) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (!done)
                fail(String.join(" ", command) + " did not end in " + BUILD_TIMEOUT_MINUTES + " minutes:\n" + output);
            if (process.exitValue() != 0)
                fail(String.join(" ", command) + " failed (offline: the local Maven repository needs what the build"
                        + " uses, so run mvn package once):\n" + output);
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * The jar built in the image holds every class of src/ and every resource this test run's
     * build made: a file the Maven build reads but the build stage does not COPY is missing.
     */
    private static void assertJarHasTheProject(Path jar) throws IOException, URISyntaxException {
        Set<String> entries = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> all = file.entries(); all.hasMoreElements(); )
                entries.add(all.nextElement().getName());
        }
        Set<String> expected = new TreeSet<>();
        Path sources = ROOT.resolve("src");
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(file -> file.toString().endsWith(".java")).forEach(file -> expected.add(
                    sources.relativize(file).toString().replace(File.separatorChar, '/').replaceFirst("\\.java$", ".class")));
        }
        Path classes = Paths.get(JobsProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(classes)) {
            try (Stream<Path> files = Files.walk(classes)) {
                files.filter(file -> Files.isRegularFile(file) && !file.toString().endsWith(".class")).forEach(file ->
                        expected.add(classes.relativize(file).toString().replace(File.separatorChar, '/')));
            }
        }
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(entries);
        assertEquals(Set.of(), missing, "the image's jar lacks these files of the project's build:"
                + " the build stage must COPY every file the Maven build reads");
    }

    private static Map<String, String> composeEnv(JsonNode environment) {
        Map<String, String> env = new LinkedHashMap<>();
        if (environment.isObject()) {
            environment.fields().forEachRemaining(field -> env.put(field.getKey(), field.getValue().asText()));
        } else {
            for (JsonNode item : environment) {
                String[] parts = item.asText().split("=", 2);
                env.put(parts[0], parts.length > 1 ? parts[1] : "");
            }
        }
        return env;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode item : array) {
            if (item.asText().equals(value))
                return true;
        }
        return false;
    }
}
