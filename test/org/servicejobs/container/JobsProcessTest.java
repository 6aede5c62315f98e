package org.servicejobs.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.errors.ConfigException;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.container.config.ComponentConfig;
import org.pipservices3.container.config.ContainerConfig;
import org.pipservices3.container.config.ContainerConfigReader;
import org.servicejobs.FreePort;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The jobs service as a whole: its configuration file, the container embedded in this JVM, and
 * the real process in a child JVM (started, called, stopped by SIGTERM).
 * Runs with the project root as working directory (as Maven runs tests).
 */
class JobsProcessTest {
    private static final String CONFIG_PATH = "./config/config.yml";
    private static final String CORRELATION_ID = "jobs-process-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String MEMORY_PERSISTENCE = "pip-services-jobs:persistence:memory:default:1.0";
    private static final String FILE_PERSISTENCE = "pip-services-jobs:persistence:file:default:1.0";
    private static final String MONGODB_PERSISTENCE = "pip-services-jobs:persistence:mongodb:default:1.0";
    private static final String CONTROLLER = "pip-services-jobs:controller:default:default:1.0";
    private static final String ENDPOINT = "pip-services-jobs:endpoint:http:default:1.0";
    private static final String SERVICE = "pip-services-jobs:service:http:default:1.0";
    private static final String HEARTBEAT = "pip-services:heartbeat-service:http:default:1.0";
    private static final String STATUS = "pip-services:status-service:http:default:1.0";

    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private HttpClient client;
    private final List<Process> children = new ArrayList<>();
    @TempDir
    Path dataFolder;

    @BeforeEach
    void setUp() {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() {
        for (Process child : children)
            child.destroyForcibly();
        client.shutdownNow();
    }

    // ---------------------------------------------------------------- config/config.yml

    @Test
    void defaultConfigHasEveryComponentWithTheFilePersistence() throws Exception {
        ContainerConfig config = readConfig(ConfigParams.fromTuples("HTTP_PORT", "1234"));
        List<String> descriptors = descriptors(config);

        for (String descriptor : List.of(FILE_PERSISTENCE, CONTROLLER, ENDPOINT, SERVICE, HEARTBEAT, STATUS))
            assertTrue(descriptors.contains(descriptor), () -> descriptor + " missing from " + descriptors);
        assertEquals(1, persistences(descriptors), descriptors::toString);
        assertNull(component(config, FILE_PERSISTENCE).getConfig().getAsNullableString("path"),
                "the file store's own default path applies");

        ConfigParams endpoint = component(config, ENDPOINT).getConfig();
        assertEquals(1234, endpoint.getAsInteger("connection.port"));
        assertEquals("http", endpoint.getAsString("connection.protocol"));
    }

    @Test
    void defaultPortIs8080() throws Exception {
        ContainerConfig config = readConfig(ConfigParams.fromTuples());

        assertEquals(8080, component(config, ENDPOINT).getConfig().getAsInteger("connection.port"));
    }

    @Test
    void memoryEnabledReplacesTheFilePersistence() throws Exception {
        List<String> descriptors = descriptors(readConfig(ConfigParams.fromTuples("MEMORY_ENABLED", "true")));

        assertTrue(descriptors.contains(MEMORY_PERSISTENCE), descriptors::toString);
        assertEquals(1, persistences(descriptors), descriptors::toString);
    }

    @Test
    void mongoEnabledReplacesTheOtherPersistences() throws Exception {
        ContainerConfig config = readConfig(ConfigParams.fromTuples("HTTP_PORT", "1234", "MONGO_ENABLED", "true",
                "MEMORY_ENABLED", "true", "MONGO_SERVICE_HOST", "mongo", "MONGO_DB", "jobsdb"));
        List<String> descriptors = descriptors(config);

        assertTrue(descriptors.contains(MONGODB_PERSISTENCE), descriptors::toString);
        assertEquals(1, persistences(descriptors), descriptors::toString);
        ConfigParams mongo = component(config, MONGODB_PERSISTENCE).getConfig();
        assertEquals("mongo", mongo.getAsString("connection.host"));
        assertEquals("jobsdb", mongo.getAsString("connection.database"));
        for (String descriptor : List.of(CONTROLLER, ENDPOINT, SERVICE, HEARTBEAT, STATUS))
            assertTrue(descriptors.contains(descriptor), () -> descriptor + " missing from " + descriptors);
    }

    @Test
    void filePathAndSyncGoToTheFilePersistence() throws Exception {
        ContainerConfig config = readConfig(ConfigParams.fromTuples(
                "HTTP_PORT", "1234", "FILE_ENABLED", "true", "FILE_PATH", "/data/jobs", "FILE_SYNC", "always"));
        List<String> descriptors = descriptors(config);

        assertTrue(descriptors.contains(FILE_PERSISTENCE), descriptors::toString);
        assertEquals(1, persistences(descriptors), descriptors::toString);
        assertEquals("/data/jobs", component(config, FILE_PERSISTENCE).getConfig().getAsString("path"));
        assertEquals("always", component(config, FILE_PERSISTENCE).getConfig().getAsString("options.sync"));
    }

    // ---------------------------------------------------------------- embedded container

    @Test
    void embeddedContainerServesAndStops() throws Exception {
        int port = FreePort.find();
        JobsProcess process = new JobsProcess();
        try {
            process.start(CORRELATION_ID, CONFIG_PATH, ConfigParams.fromTuples("HTTP_PORT", String.valueOf(port),
                    "FILE_PATH", dataFolder.toString()));

            HttpResponse<String> added = post(port, "add_job", Map.of("new_job",
                    Map.of("type", "email", "ref_id", "user-1", "params", Map.of("to", "a@example.com"))));
            assertEquals(200, added.statusCode(), added.body());
            String id = JSON.readTree(added.body()).get("id").asText();

            HttpResponse<String> found = post(port, "get_job_by_id", Map.of("job_id", id));
            assertEquals(200, found.statusCode(), found.body());
            assertEquals(JSON.readTree(added.body()), JSON.readTree(found.body()));

            HttpResponse<String> heartbeat = get(port, "/heartbeat");
            assertEquals(200, heartbeat.statusCode());

            HttpResponse<String> status = get(port, "/status");
            assertEquals(200, status.statusCode());
            assertTrue(status.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            JsonNode info = JSON.readTree(status.body());
            assertEquals("service-jobs", info.get("name").asText(), status.body());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 5000);
            }
        } finally {
            process.close(CORRELATION_ID);
        }
        assertFalse(process.isOpen());
        assertRefusesConnections(port);
    }

    /**
     * A parameter that becomes a component option is checked once, by the component: a bad value
     * stops the start with an error that names the option and the value, and nothing stays open.
     */
    @ParameterizedTest
    @CsvSource({
            "HTTP_PORT, abc, connection.port",
            "HTTP_PORT, 70000, connection.port",
            "HTTP_THREADS, -2, options.threads",
            "MAX_RETRIES, 0, options.max_retries",
            "MAX_RETRIES, -1, options.max_retries",
            "CLEAN_INTERVAL, soon, options.clean_interval",
            "COMPLETED_RETENTION, -5, options.completed_retention",
            "FILE_SYNC, sometimes, options.sync"})
    void aBadComponentOptionStopsTheStart(String parameter, String value, String option) throws Exception {
        int port = FreePort.find();
        JobsProcess process = new JobsProcess();
        ConfigParams parameters = ConfigParams.fromTuples("HTTP_PORT", String.valueOf(port),
                "FILE_PATH", dataFolder.toString());
        parameters.put(parameter, value);
        ConfigException error = assertThrows(ConfigException.class,
                () -> process.start(CORRELATION_ID, CONFIG_PATH, parameters));
        assertTrue(error.getMessage().contains(option), error.getMessage());
        assertTrue(error.getMessage().contains(value), error.getMessage());
        assertFalse(process.isOpen());
        if (!parameter.equals("HTTP_PORT"))
            assertRefusesConnections(port);
    }

    // ---------------------------------------------------------------- the real process

    @Test
    void processStopsCleanlyOnSigtermAndKeepsItsJobs() throws Exception {
        int port = FreePort.find();
        String id = null;
        for (int run = 1; run <= 2; run++) {
            ProcessBuilder builder = javaProcess();
            builder.environment().put("HTTP_PORT", String.valueOf(port));
            builder.environment().put("FILE_PATH", dataFolder.toString());
            Child child = start(builder, "Container service-jobs started");
            Process process = child.process;
            try {
                assertTrue(child.ready.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                        () -> "the service did not start: " + child.output());
                assertTrue(process.isAlive(), child::output);

                if (run == 1) {
                    HttpResponse<String> added = post(port, "add_job",
                            Map.of("new_job", Map.of("type", "email", "ref_id", "user-1")));
                    assertEquals(200, added.statusCode(), added.body());
                    id = JSON.readTree(added.body()).get("id").asText();
                } else {
                    HttpResponse<String> found = post(port, "get_job_by_id", Map.of("job_id", id));
                    assertEquals(200, found.statusCode(), "the job is kept across a restart: " + found.body());
                    assertEquals(id, JSON.readTree(found.body()).get("id").asText());
                }

                // SIGTERM, as Process.destroy() sends, but through the handle: Process.destroy() also
                // closes this side of the pipes, and the stop messages would be lost.
                assertTrue(process.toHandle().destroy(), "SIGTERM could not be sent");
                assertTrue(process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                        () -> "still running " + STOP_TIMEOUT_SECONDS + " s after SIGTERM: " + child.output());
                child.reader.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));

                String output = child.output();
                assertTrue(output.contains("Container service-jobs stopped"), output);
                assertFalse(output.contains("ERROR"), output);
                assertFalse(output.contains("FATAL"), output);
                assertRefusesConnections(port);
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"STORE, redis, STORE=redis is not a store", "MAX_RETRIES, 0, options.max_retries must be"})
    void badParametersStopTheStartWithOneLine(String parameter, String value, String said) throws Exception {
        ProcessBuilder builder = javaProcess();
        builder.environment().put(parameter, value);
        builder.redirectErrorStream(false);
        Process process = builder.start();
        children.add(process);
        process.getOutputStream().close();
        OutputReader stderr = new OutputReader(process.getErrorStream());
        OutputReader stdout = new OutputReader(process.getInputStream());
        assertTrue(process.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS), "the process did not exit");
        stderr.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
        stdout.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
        assertEquals(1, process.exitValue());
        List<String> lines = stderr.text().lines().filter(line -> !line.isBlank()).toList();
        assertEquals(1, lines.size(), stderr.text());
        assertTrue(lines.get(0).contains(said), lines.get(0));
    }

    @Test
    void badConfigPathExitsWithAOneLineError() throws Exception {
        String path = "/nonexistent.yml";
        ProcessBuilder builder = javaProcess("-c", path);
        builder.redirectErrorStream(false);
        Process process = builder.start();
        children.add(process);
        try {
            process.getOutputStream().close();
            OutputReader stdout = new OutputReader(process.getInputStream());
            OutputReader stderr = new OutputReader(process.getErrorStream());
            assertTrue(process.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS), "the process did not exit");
            stdout.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
            stderr.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));

            String errors = stderr.text();
            assertEquals(1, process.exitValue(), () -> "stdout: " + stdout.text() + "\nstderr: " + errors);
            List<String> lines = errors.lines().filter(line -> !line.isBlank()).toList();
            assertEquals(1, lines.size(), () -> "not one line: " + errors);
            assertTrue(lines.get(0).contains(path), () -> "the path is not named: " + errors);
            assertTrue(lines.get(0).startsWith("service-jobs failed to start"), () -> errors);
            assertFalse(stdout.text().contains("Exception"), stdout::text);
        } finally {
            process.destroyForcibly();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static ContainerConfig readConfig(ConfigParams parameters) throws Exception {
        return ContainerConfigReader.readFromFile(null, CONFIG_PATH, parameters);
    }

    private static List<String> descriptors(ContainerConfig config) {
        List<String> descriptors = new ArrayList<>();
        for (ComponentConfig component : config) {
            assertNotNull(component.getDescriptor(), "a component without a descriptor");
            descriptors.add(component.getDescriptor().toString());
        }
        return descriptors;
    }

    private static long persistences(List<String> descriptors) {
        return descriptors.stream().filter(d -> d.startsWith("pip-services-jobs:persistence:")).count();
    }

    private static ComponentConfig component(ContainerConfig config, String descriptor) {
        for (ComponentConfig component : config) {
            if (descriptor.equals(component.getDescriptor().toString()))
                return component;
        }
        fail(descriptor + " not in the config");
        return null;
    }

    private HttpResponse<String> post(int port, String command, Object params) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/jobs/" + command))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(params))).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET().build();
        return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void assertRefusesConnections(int port) {
        assertThrows(IOException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 5000);
            }
        }, "port " + port + " still accepts connections");
    }

    /** The service's main class in a child JVM, from the project root, with this JVM's classpath. */
    private static ProcessBuilder javaProcess(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(JobsProcess.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        for (String name : List.of("STORE", "MONGO_ENABLED", "MEMORY_ENABLED", "FILE_ENABLED", "FILE_PATH", "FILE_SYNC",
                "HTTP_HOST", "LOG_LEVEL", "JOBS_AUTH_TOKEN", "HTTPS_KEY_FILE", "HTTPS_CRT_FILE"))
            env.remove(name);
        return builder;
    }

    private Child start(ProcessBuilder builder, String readyLine) throws IOException {
        Process process = builder.start();
        children.add(process);
        process.getOutputStream().close();
        return new Child(process, readyLine);
    }

    /** A child process whose merged output is collected; <code>ready</code> opens at a given line. */
    private static final class Child {
        final Process process;
        final CountDownLatch ready = new CountDownLatch(1);
        final OutputReader reader;

        Child(Process process, String readyLine) {
            this.process = process;
            this.reader = new OutputReader(process.getInputStream(), line -> {
                if (line.contains(readyLine))
                    ready.countDown();
            });
        }

        String output() {
            return reader.text();
        }
    }

    /** Reads a stream to its end on a daemon thread. */
    private static final class OutputReader {
        private final StringBuffer text = new StringBuffer();
        private final Thread thread;

        OutputReader(InputStream stream) {
            this(stream, line -> {
            });
        }

        OutputReader(InputStream stream, Consumer<String> onLine) {
            thread = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        text.append(line).append('\n');
                        onLine.accept(line);
                    }
                } catch (IOException ex) {
                    text.append("<read failed: ").append(ex).append(">\n");
                }
            }, "child-output");
            thread.setDaemon(true);
            thread.start();
        }

        void join(long millis) throws InterruptedException {
            thread.join(millis);
        }

        String text() {
            return text.toString();
        }
    }
}
