package org.servicejobs.services;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.run.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Reads the body of a command: the whole stream up to a size limit, then a JSON object as the
 * command's parameters.
 * <ul>
 * <li>an empty body (or white space only) is no parameters;</li>
 * <li>a body longer than <code>maxSize</code> bytes is 413 <code>REQUEST_TOO_LARGE</code>, refused
 * from its Content-Length when it says so, before a byte is read;</li>
 * <li>a body that is not a JSON object is 400 <code>INVALID_JSON</code>, with where it went wrong;</li>
 * <li>a stream that breaks is 400 <code>READ_ERROR</code>.</li>
 * </ul>
 */
public final class JsonRequestBodies {
    private final ObjectMapper _mapper;
    private final int _maxSize;

    /**
     * @param mapper  reads the JSON.
     * @param maxSize the largest body in bytes.
     */
    public JsonRequestBodies(ObjectMapper mapper, int maxSize) {
        _mapper = mapper;
        _maxSize = maxSize;
    }

    public int getMaxSize() {
        return _maxSize;
    }

    /**
     * The parameters of a body.
     *
     * @param declaredLength the Content-Length of the request, or -1 when it has none.
     * @param stream         the body, or null when there is none.
     */
    public Parameters read(String correlationId, long declaredLength, InputStream stream) throws ApplicationException {
        return parse(correlationId, readBytes(correlationId, declaredLength, stream));
    }

    /** The bytes of a body, at most {@link #getMaxSize()}. */
    public byte[] readBytes(String correlationId, long declaredLength, InputStream stream) throws ApplicationException {
        if (declaredLength > _maxSize)
            throw tooLarge(correlationId);
        if (stream == null)
            return new byte[0];
        try (stream) {
            byte[] body = stream.readNBytes(_maxSize + 1);
            if (body.length > _maxSize)
                throw tooLarge(correlationId);
            return body;
        } catch (IOException ex) {
            throw new BadRequestException(correlationId, "READ_ERROR", "The request body could not be read")
                    .withCause(ex);
        }
    }

    /** The parameters in a body: none for an empty one, else its JSON object. */
    public Parameters parse(String correlationId, byte[] body) throws ApplicationException {
        int start = 0;
        while (start < body.length && Character.isWhitespace(body[start]))
            start++;
        if (start == body.length)
            return new Parameters();
        Object value;
        try {
            value = _mapper.readValue(body, Object.class);
        } catch (IOException ex) {
            String reason = ex.getMessage();
            if (ex instanceof JsonProcessingException json) {
                reason = json.getOriginalMessage();
                if (json.getLocation() != null)
                    reason += " at line " + json.getLocation().getLineNr() + ", column " + json.getLocation().getColumnNr();
            }
            throw new BadRequestException(correlationId, "INVALID_JSON", "The request body is not valid JSON: " + reason);
        }
        if (!(value instanceof Map<?, ?> map))
            throw new BadRequestException(correlationId, "INVALID_JSON", "The request body must be a JSON object");
        return new Parameters(map);
    }

    private ApplicationException tooLarge(String correlationId) {
        ApplicationException error = new BadRequestException(correlationId, "REQUEST_TOO_LARGE",
                "The request body is larger than " + _maxSize + " bytes")
                .withDetails("max_size", _maxSize);
        error.setStatus(413);
        return error;
    }
}
