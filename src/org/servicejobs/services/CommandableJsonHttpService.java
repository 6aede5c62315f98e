package org.servicejobs.services;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.glassfish.jersey.process.Inflector;
import org.pipservices3.commons.commands.ICommand;
import org.pipservices3.commons.commands.ICommandable;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.ErrorDescription;
import org.pipservices3.commons.errors.ErrorDescriptionFactory;
import org.pipservices3.commons.errors.InvalidStateException;
import org.pipservices3.commons.errors.NotFoundException;
import org.pipservices3.commons.errors.UnauthorizedException;
import org.pipservices3.commons.errors.UnknownException;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.refer.ReferenceException;
import org.pipservices3.commons.run.Parameters;
import org.pipservices3.commons.validate.ValidationException;
import org.pipservices3.commons.validate.ValidationResult;
import org.pipservices3.commons.validate.ValidationResultType;
import org.pipservices3.rpc.services.InstrumentTiming;
import org.pipservices3.rpc.services.RestService;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves the commands of a controller as <code>POST &lt;base_route&gt;/&lt;command&gt;</code>, like
 * Pip's CommandableHttpService, without its holes:
 * <ul>
 * <li>the whole body is read, up to <code>options.request_max_size</code> bytes; a larger one is
 * answered 413 <code>REQUEST_TOO_LARGE</code> (Pip reads only the bytes the socket has ready and
 * silently drops the rest);</li>
 * <li>a body that is not a JSON object is answered 400 <code>INVALID_JSON</code> (Pip runs the
 * command with no parameters); an empty body means no parameters;</li>
 * <li>results are written by one Jackson mapper, dates as ISO-8601 strings (Pip writes decimal
 * epoch seconds);</li>
 * <li>errors are the standard error JSON without the server's stack trace, always with the
 * caller's correlation_id; an unknown command is 404 <code>UNKNOWN_COMMAND</code> and another
 * method than POST 405 <code>METHOD_NOT_ALLOWED</code>, both in that format too;</li>
 * <li>each refused or failed command is logged in one line with its correlation id (info for 4xx,
 * error with the exception for 5xx); answered commands are not logged.</li>
 * </ul>
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>base_route: base route of the commands</li>
 * <li>dependencies:
 * <ul>
 * <li>endpoint: override for the HTTP endpoint dependency</li>
 * <li>controller: override for the controller dependency</li>
 * </ul></li>
 * <li>options:
 * <ul>
 * <li>request_max_size: the largest request body in bytes (default 1048576)</li>
 * <li>auth_token: when set, every command needs <code>Authorization: Bearer &lt;token&gt;</code>,
 * else 401 <code>MISSING_TOKEN</code> or <code>INVALID_TOKEN</code> (compared in constant time)</li>
 * </ul>
 * </li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>*:logger:*:*:1.0 (optional) ILogger components to pass log messages</li>
 * <li>*:counters:*:*:1.0 (optional) ICounters components to pass collected measurements</li>
 * <li>*:endpoint:http:*:1.0 (optional) the HTTP endpoint to share (else the service opens its own)</li>
 * <li>the controller: an ICommandable, set by the subclass</li>
 * </ul>
 */
public abstract class CommandableJsonHttpService extends RestService {
    public static final int DEFAULT_REQUEST_MAX_SIZE = 1024 * 1024;
    private static final String COMMAND_PARAM = "command";
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final String BEARER = "Bearer ";
    private int _requestMaxSize = DEFAULT_REQUEST_MAX_SIZE;
    private volatile byte[] _authToken;
    private ICommandable _controller;
    private Map<String, ICommand> _commands = Map.of();

    protected CommandableJsonHttpService(String baseRoute) {
        _baseRoute = baseRoute;
        _dependencyResolver.put("controller", "none");
    }

    /** The mapper that writes results and errors. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        super.configure(config);
        _requestMaxSize = config.getAsIntegerWithDefault("options.request_max_size", _requestMaxSize);
        String token = config.getAsNullableString("options.auth_token");
        _authToken = token == null || token.isBlank() ? null : token.trim().getBytes(StandardCharsets.UTF_8);
        if (_requestMaxSize < 1)
            throw new ConfigException(null, "INVALID_REQUEST_MAX_SIZE", "options.request_max_size must be positive");
    }

    @Override
    public void setReferences(IReferences references) throws ReferenceException, ConfigException {
        super.setReferences(references);
        _controller = (ICommandable) _dependencyResolver.getOneRequired("controller");
    }

    @Override
    public void register() {
        if (_controller == null)
            return;
        Map<String, ICommand> commands = new HashMap<>();
        for (ICommand command : _controller.getCommandSet().getCommands())
            commands.put(command.getName(), command);
        _commands = commands;

        String route = "{" + COMMAND_PARAM + "}";
        // Anonymous classes, not lambdas: Jersey reads the request type from the class signature.
        registerRoute(HttpMethod.POST, route, new Inflector<ContainerRequestContext, Response>() {
            @Override
            public Response apply(ContainerRequestContext request) {
                return execute(request);
            }
        });
        for (String method : List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH)) {
            registerRoute(method, route, new Inflector<ContainerRequestContext, Response>() {
                @Override
                public Response apply(ContainerRequestContext request) {
                    return refuseMethod(request);
                }
            });
        }
    }

    private Response execute(ContainerRequestContext request) {
        String correlationId = getCorrelationId(request);
        GracefulHttpEndpoint endpoint = _endpoint instanceof GracefulHttpEndpoint graceful ? graceful : null;
        if (endpoint == null)
            return execute(correlationId, request);
        if (!endpoint.enter()) {
            ApplicationException error = new InvalidStateException(correlationId, "SHUTTING_DOWN",
                    "The service is shutting down; call another instance or try again");
            error.setStatus(503);
            return sendError(correlationId, error);
        }
        Response response = null;
        try {
            response = execute(correlationId, request);
            if (response.getEntity() instanceof byte[] body) {
                // The command stays in flight until its answer is written: the endpoint's close waits for it.
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

    private Response execute(String correlationId, ContainerRequestContext request) {
        ApplicationException refused = authenticate(correlationId, request);
        if (refused != null)
            return sendError(correlationId, refused);
        String name = request.getUriInfo().getPathParameters().getFirst(COMMAND_PARAM);
        ICommand command = _commands.get(name);
        if (command == null)
            return sendError(correlationId, new NotFoundException(correlationId, "UNKNOWN_COMMAND",
                    "There is no command " + name + " at " + _baseRoute).withDetails("command", name));

        InstrumentTiming timing = instrument(correlationId, _baseRoute + "." + name);
        try {
            Parameters parameters = readParameters(correlationId, request);
            Object result;
            try {
                result = command.execute(correlationId, parameters);
            } catch (ValidationException ex) {
                // The command validates its schema; only a refusal is validated again, for details.
                checkSchema(correlationId, command, parameters);
                throw ex;
            }
            return result == null ? Response.noContent().build()
                    : Response.ok(MAPPER.writeValueAsBytes(result), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (Exception ex) {
            _counters.incrementOne(_baseRoute + "." + name + ".exec_errors");
            return sendError(correlationId, ex);
        } finally {
            timing.endTiming();
        }
    }

    /** Null when the request may run: no token is configured, or it carries the token. */
    private ApplicationException authenticate(String correlationId, ContainerRequestContext request) {
        byte[] expected = _authToken;
        if (expected == null)
            return null;
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length()))
            return new UnauthorizedException(correlationId, "MISSING_TOKEN",
                    "The request needs an Authorization: Bearer <token> header");
        byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given))
            return new UnauthorizedException(correlationId, "INVALID_TOKEN", "The bearer token is not valid");
        return null;
    }

    private Response refuseMethod(ContainerRequestContext request) {
        String correlationId = getCorrelationId(request);
        ApplicationException error = new BadRequestException(correlationId, "METHOD_NOT_ALLOWED",
                "Commands are called with POST, not " + request.getMethod());
        error.setStatus(405);
        return Response.fromResponse(sendError(correlationId, error)).header("Allow", HttpMethod.POST).build();
    }

    /**
     * Validates the parameters against the command's schema, and reports each failed property
     * with its message in the error details (Pip puts the results' toString there).
     */
    private static void checkSchema(String correlationId, ICommand command, Parameters parameters)
            throws ValidationException {
        List<ValidationResult> errors = command.validate(parameters).stream()
                .filter(result -> result.getType() == ValidationResultType.Error).toList();
        if (errors.isEmpty())
            return;
        ValidationException error = new ValidationException(correlationId, ValidationException.composeMessage(errors));
        for (ValidationResult result : errors)
            error.withDetails(result.getPath() == null || result.getPath().isEmpty() ? "body" : result.getPath(),
                    result.getMessage());
        throw error;
    }

    private Parameters readParameters(String correlationId, ContainerRequestContext request)
            throws ApplicationException {
        byte[] body = readBody(correlationId, request);
        int start = 0;
        while (start < body.length && Character.isWhitespace(body[start]))
            start++;
        if (start == body.length)
            return new Parameters();
        Object value;
        try {
            value = MAPPER.readValue(body, Object.class);
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

    private byte[] readBody(String correlationId, ContainerRequestContext request) throws ApplicationException {
        if (request.getLength() > _requestMaxSize)
            throw tooLarge(correlationId);
        try (InputStream stream = request.getEntityStream()) {
            if (stream == null)
                return new byte[0];
            byte[] body = stream.readNBytes(_requestMaxSize + 1);
            if (body.length > _requestMaxSize)
                throw tooLarge(correlationId);
            return body;
        } catch (IOException ex) {
            throw new BadRequestException(correlationId, "READ_ERROR", "The request body could not be read")
                    .withCause(ex);
        }
    }

    private ApplicationException tooLarge(String correlationId) {
        ApplicationException error = new BadRequestException(correlationId, "REQUEST_TOO_LARGE",
                "The request body is larger than " + _requestMaxSize + " bytes")
                .withDetails("max_size", _requestMaxSize);
        error.setStatus(413);
        return error;
    }

    /** The standard error JSON, without the stack trace, with the caller's correlation id. */
    private Response sendError(String correlationId, Exception ex) {
        Response response = errorResponse(correlationId, ex);
        // The body of a request too large was not read: the connection cannot carry another request.
        return response.getStatus() == 413 ? Response.fromResponse(response).header("Connection", "close").build()
                : response;
    }

    private Response errorResponse(String correlationId, Exception ex) {
        ApplicationException error = ex instanceof ApplicationException app ? app
                : new UnknownException(correlationId, "INTERNAL_ERROR", "Internal error: " + ex).withCause(ex);
        if (error.getStatus() >= 500)
            _logger.error(correlationId, ex, "Command failed: %s", error.getMessage());
        else
            _logger.info(correlationId, "Command refused: %d %s %s", error.getStatus(), error.getCode(), error.getMessage());

        ErrorDescription description = ErrorDescriptionFactory.create(error);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", description.getType());
        body.put("category", description.getCategory());
        body.put("status", description.getStatus());
        body.put("code", description.getCode());
        body.put("message", description.getMessage());
        body.put("details", details(error));
        body.put("correlation_id", description.getCorrelationId() != null ? description.getCorrelationId() : correlationId);
        body.put("cause", description.getCause());
        try {
            return Response.status(description.getStatus())
                    .entity(MAPPER.writeValueAsBytes(body)).type(MediaType.APPLICATION_JSON_TYPE).build();
        } catch (JsonProcessingException writeError) {
            _logger.error(correlationId, writeError, "Cannot write an error response");
            return Response.status(500).build();
        }
    }

    private static Map<String, Object> details(ApplicationException error) {
        if (error.getDetails() == null || error.getDetails().isEmpty())
            return null;
        return new LinkedHashMap<>(error.getDetails());
    }
}
