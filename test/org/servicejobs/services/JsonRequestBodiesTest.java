package org.servicejobs.services;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.run.Parameters;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JsonRequestBodies} alone: the size limit and what counts as parameters. */
class JsonRequestBodiesTest {
    private static final String CID = "bodies-test";
    private final JsonRequestBodies bodies = new JsonRequestBodies(CommandableJsonHttpService.mapper(), 100);

    private Parameters read(String body) throws ApplicationException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return bodies.read(CID, bytes.length, new ByteArrayInputStream(bytes));
    }

    private ApplicationException refusal(String body) {
        return assertThrows(ApplicationException.class, () -> read(body));
    }

    @Test
    void aJsonObjectIsTheParameters() throws Exception {
        Parameters parameters = read("{\"job_id\": \"a\", \"timeout\": 5, \"filter\": {\"type\": \"x\"}}");
        assertEquals("a", parameters.getAsString("job_id"));
        assertEquals(5, parameters.getAsInteger("timeout"));
        assertEquals(Map.of("type", "x"), parameters.get("filter"));
    }

    @Test
    void anEmptyBodyIsNoParameters() throws Exception {
        assertTrue(read("").isEmpty());
        assertTrue(read(" \r\n\t").isEmpty());
        assertTrue(bodies.read(CID, -1, null).isEmpty(), "no body at all");
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsRefused() {
        for (String body : List.of("[1, 2]", "\"text\"", "42", "null", "{\"a\": ", "{} {}", "not json")) {
            ApplicationException error = refusal(body);
            assertEquals("INVALID_JSON", error.getCode(), body);
            assertEquals(400, error.getStatus(), body);
            assertEquals(CID, error.getCorrelationId());
        }
        assertTrue(refusal("{\"a\": }").getMessage().contains("line 1, column"), "where the JSON went wrong");
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413() throws Exception {
        String fits = "{\"a\": \"" + "x".repeat(91) + "\"}";
        assertEquals(100, fits.length());
        assertEquals(91, read(fits).getAsString("a").length());

        String over = "{\"a\": \"" + "x".repeat(92) + "\"}";
        ApplicationException error = refusal(over);
        assertEquals("REQUEST_TOO_LARGE", error.getCode());
        assertEquals(413, error.getStatus());
        assertEquals("100", String.valueOf(error.getDetails().get("max_size")));

        // A declared length over the limit is refused before a byte is read.
        InputStream never = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("read");
            }
        };
        assertEquals(413, assertThrows(ApplicationException.class, () -> bodies.read(CID, 101, never)).getStatus());
        // A body longer than it said (no length, or a wrong one) is cut at the limit, not read whole.
        byte[] endless = "{\"a\":\"".concat("y".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
        assertEquals(413, assertThrows(ApplicationException.class,
                () -> bodies.read(CID, -1, new ByteArrayInputStream(endless))).getStatus());
    }

    @Test
    void aBrokenStreamIsAReadError() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        ApplicationException error = assertThrows(ApplicationException.class, () -> bodies.read(CID, 10, broken));
        assertEquals("READ_ERROR", error.getCode());
        assertEquals(400, error.getStatus());
    }
}
