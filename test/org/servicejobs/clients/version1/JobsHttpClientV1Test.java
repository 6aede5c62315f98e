package org.servicejobs.clients.version1;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConnectionException;
import org.pipservices3.commons.errors.InvalidStateException;
import org.pipservices3.commons.errors.NotFoundException;
import org.pipservices3.commons.errors.UnknownException;
import org.pipservices3.commons.refer.Descriptor;
import org.servicejobs.FreePort;
import org.servicejobs.TestData;
import org.servicejobs.TestService;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client contract on the HTTP client against a real service (memory store, controller on the
 * system clock, graceful endpoint on a free port), and what only the HTTP client can get wrong:
 * dead ports, timeouts, retries, error bodies.
 */
class JobsHttpClientV1Test extends JobsClientV1Fixture {
    private static final String CORRELATION_ID = "http-client-test";
    /** Calls 0 to 2 of {@link JobsClientV1Fixture#everyOperation} are the read-only ones. */
    private static final int READ_ONLY_CALLS = 3;

    private final List<JobsHttpClientV1> extraClients = new ArrayList<>();
    private int port;

    @Override
    protected IJobsClientV1 addClient(TestService service) throws Exception {
        service.http();
        port = service.port();
        JobsHttpClientV1 client = service.connect(new JobsHttpClientV1());
        service.with(new Descriptor("pip-services-jobs", "client", "http", "default", "1.0"), client);
        return client;
    }

    @AfterEach
    void closeExtraClients() throws Exception {
        for (JobsHttpClientV1 client : extraClients)
            client.close(null);
    }

    private static ConfigParams connection(int port) {
        return ConfigParams.fromTuples(
                "connection.protocol", "http",
                "connection.host", "localhost",
                "connection.port", port);
    }

    /** A client of its own, opened, closed after the test. */
    private JobsHttpClientV1 newClient(int port, Object... options) throws ApplicationException {
        JobsHttpClientV1 client = new JobsHttpClientV1();
        client.configure(connection(port).override(ConfigParams.fromTuples(options)));
        extraClients.add(client);
        client.open(null);
        return client;
    }

    // ---------------------------------------------------------------- the HTTP client only

    @Test
    void everyCallToADeadPortFailsFastWithAConnectionError() throws Exception {
        JobsHttpClientV1 client = newClient(FreePort.find());

        long start = System.nanoTime();
        for (Executable call : JobsClientV1Fixture.everyOperation(client)) {
            long callStart = System.nanoTime();
            ConnectionException error = assertThrows(ConnectionException.class, call);
            long millis = millisSince(callStart);
            assertEquals("CONNECT_FAILED", error.getCode(), error::toString);
            assertEquals(JobsClientV1Fixture.CORRELATION_ID, error.getCorrelationId());
            assertNotNull(error.getCause(), "the cause is lost");
            assertTrue(millis < 10_000, "a call failed after " + millis + " ms");
        }
        long millis = millisSince(start);
        assertTrue(millis < 10_000, "the calls failed after " + millis + " ms");
    }

    @Test
    void onlyReadOnlyCallsAreRetriedWhenTheConnectionDrops() throws Exception {
        try (DroppingServer server = new DroppingServer()) {
            JobsHttpClientV1 client = newClient(server.port(), "options.retries", 2);
            List<Executable> calls = JobsClientV1Fixture.everyOperation(client);
            for (int i = 0; i < calls.size(); i++) {
                int before = server.requests().size();
                ConnectionException error = assertThrows(ConnectionException.class, calls.get(i));
                assertEquals("CONNECTION_LOST", error.getCode(), error::toString);
                List<String> sent = server.requests().subList(before, server.requests().size());
                int expected = i < READ_ONLY_CALLS ? 3 : 1;
                assertEquals(expected, sent.size(), "requests of call " + i + ": " + sent);
                assertEquals(1, sent.stream().distinct().count(), sent::toString);
            }
            assertTrue(server.requests().contains("POST /v1/jobs/add_job"), server.requests()::toString);
        }
    }

    @Test
    void aCallWithNoAnswerInTimeFailsAndOnlyReadOnlyOnesAreRetried() throws Exception {
        JobsHttpClientV1 client = newClient(port, "options.timeout", 500, "options.retries", 1);
        store.hold("getOneById");
        store.hold("create");

        long start = System.nanoTime();
        ConnectionException read = assertThrows(ConnectionException.class,
                () -> client.getJobById(CORRELATION_ID, "job-1"));
        long readMillis = millisSince(start);
        assertEquals("TIMEOUT", read.getCode(), read::toString);
        assertEquals(CORRELATION_ID, read.getCorrelationId());
        assertTrue(readMillis >= 1000 && readMillis < 5000, "failed after " + readMillis + " ms");
        assertEquals(2, store.calls("getOneById"), "get_job_by_id is retried once");

        start = System.nanoTime();
        ConnectionException write = assertThrows(ConnectionException.class,
                () -> client.addJob(CORRELATION_ID, TestData.NEW_JOB1));
        long writeMillis = millisSince(start);
        assertEquals("TIMEOUT", write.getCode(), write::toString);
        assertTrue(writeMillis >= 500 && writeMillis < 3000, "failed after " + writeMillis + " ms");
        assertEquals(1, store.calls("create"), "add_job was sent again");
    }

    @Test
    void theReadTimeoutOfALongPollCoversItsWait() throws Exception {
        JobsHttpClientV1 client = newClient(port, "options.timeout", 500);

        long start = System.nanoTime();
        assertNull(client.startJobByType(CORRELATION_ID, "poll", 30_000, 1500));
        long millis = millisSince(start);
        assertTrue(millis >= 1490 && millis < 5000, "returned after " + millis + " ms");
    }

    @Test
    void anErrorWithoutTheStandardBodyIsAnUnknownExceptionWithItsStatus() throws Exception {
        JobsHttpClientV1 client = newClient(port, "base_route", "v1/no-such-route");

        UnknownException error = assertThrows(UnknownException.class, () -> client.getJobById(CORRELATION_ID, "job-1"));
        assertEquals(404, error.getStatus(), error::toString);
        assertEquals("UNKNOWN_ERROR", error.getCode());
        assertEquals("404", error.getDetails().getAsString("status"));
    }

    @Test
    void theCorrelationIdMayGoInAHeader() throws Exception {
        JobsHttpClientV1 client = newClient(port, "options.correlation_id_place", "headers");

        NotFoundException error = assertThrows(NotFoundException.class,
                () -> client.completeJob("from-a-header", "no-such-job", null));
        assertEquals("from-a-header", error.getCorrelationId());
        assertEquals("JOB_NOT_FOUND", error.getCode());
    }

    @Test
    void aClientThatIsNotOpenRefusesCalls() {
        JobsHttpClientV1 client = new JobsHttpClientV1();
        client.configure(connection(port));

        InvalidStateException error = assertThrows(InvalidStateException.class,
                () -> client.getJobs(CORRELATION_ID, null, null));
        assertEquals("NOT_OPENED", error.getCode());
    }

    @Test
    void openRefusesATimeoutOfZero() {
        JobsHttpClientV1 client = new JobsHttpClientV1();
        client.configure(connection(port).override(ConfigParams.fromTuples("options.timeout", 0)));

        ApplicationException error = assertThrows(ApplicationException.class, () -> client.open(null));
        assertEquals("INVALID_TIMEOUT", error.getCode());
        assertFalse(client.isOpen());
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /**
     * An HTTP server that reads each request whole, then closes the connection without an answer:
     * what a client sees when a service dies mid-call. Records each request line, without the query.
     */
    private static final class DroppingServer implements AutoCloseable {
        private final ServerSocket socket;
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final Thread thread;

        DroppingServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "dropping-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        /** The requests so far; each is recorded before its connection is closed. */
        List<String> requests() {
            return requests;
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    InputStream in = new BufferedInputStream(connection.getInputStream());
                    String line = readRequest(in);
                    if (line != null)
                        requests.add(line.replaceFirst("\\?\\S*", "").replaceFirst(" HTTP/\\S+$", ""));
                } catch (IOException ex) {
                    // closed by close(), or a client that went away: accept the next one
                }
            }
        }

        /** Reads the head and the body (Content-Length or chunked); returns the request line. */
        private static String readRequest(InputStream in) throws IOException {
            String requestLine = line(in);
            if (requestLine == null)
                return null;
            long length = 0;
            boolean chunked = false;
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:"))
                    length = Long.parseLong(lower.substring("content-length:".length()).trim());
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked"))
                    chunked = true;
            }
            if (!chunked) {
                in.skipNBytes(length);
                return requestLine;
            }
            for (long size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
                in.skipNBytes(size);
                line(in);
            }
            String trailer;
            do {
                trailer = line(in);
            } while (trailer != null && !trailer.isEmpty());
            return requestLine;
        }

        private static long chunkSize(String line) throws IOException {
            if (line == null)
                throw new IOException("the body ended early");
            int semicolon = line.indexOf(';');
            return Long.parseLong((semicolon >= 0 ? line.substring(0, semicolon) : line).trim(), 16);
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0)
                    return line.isEmpty() ? null : line.toString();
                if (c != '\r')
                    line.append((char) c);
            }
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                thread.join(5000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
