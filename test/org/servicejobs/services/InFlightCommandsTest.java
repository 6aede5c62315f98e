package org.servicejobs.services;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.components.log.NullLogger;
import org.servicejobs.FreePort;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link InFlightCommands} on an endpoint of its own: its close waits for answers being written. */
class InFlightCommandsTest {
    private final ErrorResponses errors = new ErrorResponses(CommandableJsonHttpService.mapper(), new NullLogger());
    private final GracefulHttpEndpoint endpoint = new GracefulHttpEndpoint();

    @AfterEach
    void close() {
        endpoint.close(null);
    }

    @Test
    void theEndpointClosesOnceTheAnswerIsWrittenAndRefusesNewCommandsMeanwhile() throws Exception {
        endpoint.configure(ConfigParams.fromTuples("connection.protocol", "http", "connection.host", "localhost",
                "connection.port", FreePort.find(), "options.shutdown_timeout", 30_000));
        endpoint.open(null);

        Response answer = InFlightCommands.run(endpoint, "cid",
                () -> Response.ok("done".getBytes(StandardCharsets.UTF_8)).build(), errors);
        StreamingOutput body = assertInstanceOf(StreamingOutput.class, answer.getEntity(),
                "the answer is streamed, so the command leaves when it is written");

        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> endpoint.close(null));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Response refused;
        do {
            refused = InFlightCommands.run(endpoint, "cid-2", () -> Response.ok().build(), errors);
        } while (refused.getStatus() != 503 && System.nanoTime() < deadline);
        assertEquals(503, refused.getStatus(), "a command that comes while the endpoint closes");
        assertFalse(closing.isDone(), "the endpoint closed before the answer in flight was written");

        ByteArrayOutputStream written = new ByteArrayOutputStream();
        body.write(written);
        assertEquals("done", written.toString(StandardCharsets.UTF_8));
        closing.get(30, TimeUnit.SECONDS);
        assertFalse(endpoint.isOpen());
    }

    @Test
    void withoutAGracefulEndpointTheCommandJustRuns() {
        Response answer = InFlightCommands.run(null, "cid", () -> Response.ok("x").build(), errors);
        assertEquals("x", answer.getEntity());
        assertTrue(answer.getStatus() == 200);
    }
}
