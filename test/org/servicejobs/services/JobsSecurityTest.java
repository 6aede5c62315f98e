package org.servicejobs.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.rpc.services.HeartbeatRestService;
import org.servicejobs.TestService;
import org.servicejobs.persistence.JobsMemoryPersistence;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optional bearer token of the HTTP service, and HTTPS on the endpoint. */
class JobsSecurityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADD_JOB = "{\"new_job\": {\"type\": \"email\", \"ref_id\": \"user-1\"}}";

    private TestService service;
    private int port;

    @TempDir
    Path folder;

    @AfterEach
    void tearDown() throws Exception {
        if (service != null)
            service.close();
    }

    /** Persistence, controller, the endpoint, the v1 service and the heartbeat, wired and opened. */
    private void open(ConfigParams endpointConfig, ConfigParams serviceConfig) throws Exception {
        HeartbeatRestService heartbeat = new HeartbeatRestService();
        heartbeat.configure(new ConfigParams());
        service = TestService.on(new JobsMemoryPersistence()).http(serviceConfig).endpoint(endpointConfig)
                .with(new Descriptor("pip-services", "heartbeat-service", "http", "default", "1.0"), heartbeat).open();
        port = service.port();
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder addJob(String scheme) {
        return HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + port + "/v1/jobs/add_job"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(ADD_JOB));
    }

    private static void assertUnauthorized(HttpResponse<String> response, String code) throws IOException {
        assertEquals(401, response.statusCode(), response.body());
        JsonNode error = JSON.readTree(response.body());
        assertEquals(code, error.get("code").asText());
        assertEquals(401, error.get("status").asInt());
        assertEquals("abc", error.get("correlation_id").asText());
    }

    @Test
    void aConfiguredTokenIsRequiredOnEveryCommandButNotOnTheHeartbeat() throws Exception {
        open(new ConfigParams(), ConfigParams.fromTuples("options.auth_token", "s3cret-token"));
        HttpClient client = HttpClient.newHttpClient();

        assertUnauthorized(send(client, HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/v1/jobs/add_job?correlation_id=abc")).POST(HttpRequest.BodyPublishers.ofString(ADD_JOB)).build()),
                "MISSING_TOKEN");
        assertUnauthorized(send(client, HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/v1/jobs/get_jobs?correlation_id=abc")).header("Authorization", "Bearer wrong")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()), "INVALID_TOKEN");
        assertUnauthorized(send(client, HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/v1/jobs/no_such_command?correlation_id=abc"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()), "MISSING_TOKEN");

        HttpResponse<String> allowed = send(client, addJob("http").header("Authorization", "Bearer s3cret-token").build());
        assertEquals(200, allowed.statusCode(), allowed.body());
        HttpResponse<String> page = send(client, HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/v1/jobs/get_jobs")).header("Authorization", "bearer s3cret-token")
                .POST(HttpRequest.BodyPublishers.ofString("{\"paging\": {\"total\": true}}")).build());
        assertEquals(1, JSON.readTree(page.body()).get("total").asInt(), "only the authorized add ran");

        HttpResponse<String> heartbeat = send(client, HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/heartbeat")).GET().build());
        assertEquals(200, heartbeat.statusCode());
    }

    @Test
    void withoutATokenCommandsAreOpen() throws Exception {
        open(new ConfigParams(), new ConfigParams());
        HttpResponse<String> response = send(HttpClient.newHttpClient(), addJob("http").build());
        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void httpsWithPemFilesFromPipCredentials() throws Exception {
        Path keystore = folder.resolve("server.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, "changeit".toCharArray());
        }
        Key key = store.getKey("server", "changeit".toCharArray());
        Path keyFile = folder.resolve("server.key");
        Path crtFile = folder.resolve("server.crt");
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(crtFile, pem("CERTIFICATE", store.getCertificate("server").getEncoded()), StandardCharsets.US_ASCII);

        open(ConfigParams.fromTuples("connection.protocol", "https",
                "credential.ssl_key_file", keyFile.toString(), "credential.ssl_crt_file", crtFile.toString()),
                new ConfigParams());

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", store.getCertificate("server"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<String> response = send(client, addJob("https").build());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("email", JSON.readTree(response.body()).get("type").asText());

        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(IOException.class, () -> plain.send(addJob("http").build(), HttpResponse.BodyHandlers.ofString()),
                "plain HTTP is not served on the HTTPS port");
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, process.exitValue(), output);
    }
}
