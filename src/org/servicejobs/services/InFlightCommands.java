package org.servicejobs.services;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.InvalidStateException;

import java.util.function.Supplier;

/**
 * Keeps the commands in flight on a {@link GracefulHttpEndpoint}, so that its close waits for
 * them: a command enters before it runs and leaves once its answer is written (an answer body is
 * streamed, and leaves when the last byte went out). A command that comes while the endpoint
 * closes is refused with 503 <code>SHUTTING_DOWN</code>.
 */
public final class InFlightCommands {
    private InFlightCommands() {
    }

    /**
     * Runs a command inside the endpoint's drain.
     *
     * @param endpoint the endpoint, or null to just run the command.
     * @param refuse   the answer to an error (for the 503).
     */
    public static Response run(GracefulHttpEndpoint endpoint, String correlationId, Supplier<Response> command,
                               ErrorResponses refuse) {
        if (endpoint == null)
            return command.get();
        if (!endpoint.enter()) {
            ApplicationException error = new InvalidStateException(correlationId, "SHUTTING_DOWN",
                    "The service is shutting down; call another instance or try again");
            error.setStatus(503);
            return refuse.of(correlationId, error);
        }
        Response response = null;
        try {
            response = command.get();
            if (response.getEntity() instanceof byte[] body) {
                StreamingOutput writer = output -> {
                    try {
                        output.write(body);
                    } finally {
                        endpoint.exit();
                    }
                };
                return Response.fromResponse(response).entity(writer).build();
            }
            return response;
        } finally {
            if (response == null || !(response.getEntity() instanceof byte[]))
                endpoint.exit();
        }
    }
}
