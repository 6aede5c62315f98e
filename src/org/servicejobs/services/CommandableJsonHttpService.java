package org.servicejobs.services;

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
import org.glassfish.jersey.process.Inflector;
import org.pipservices3.commons.commands.ICommand;
import org.pipservices3.commons.commands.ICommandable;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.NotFoundException;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.refer.ReferenceException;
import org.pipservices3.commons.run.Parameters;
import org.pipservices3.commons.validate.ValidationException;
import org.pipservices3.commons.validate.ValidationResult;
import org.pipservices3.commons.validate.ValidationResultType;
import org.pipservices3.rpc.services.InstrumentTiming;
import org.pipservices3.rpc.services.RestService;
import org.servicejobs.config.ConfigOptions;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves the commands of a controller as <code>POST &lt;base_route&gt;/&lt;command&gt;</code>, like
 * Pip's CommandableHttpService, without its holes. A request goes through small pieces, each
 * testable alone: {@link InFlightCommands} (the endpoint's drain), {@link BearerTokenAuth},
 * {@link JsonRequestBodies} (the body), the command, and {@link ErrorResponses} for any error:
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

    private JsonRequestBodies _bodies = new JsonRequestBodies(MAPPER, DEFAULT_REQUEST_MAX_SIZE);
    private volatile BearerTokenAuth _auth = new BearerTokenAuth(null);
    private ErrorResponses _errors;
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
        _bodies = new JsonRequestBodies(MAPPER, ConfigOptions.getInt(config, "options.request_max_size",
                _bodies.getMaxSize(), 1, Integer.MAX_VALUE - 1));
        _auth = new BearerTokenAuth(config.getAsNullableString("options.auth_token"));
    }

    @Override
    public void setReferences(IReferences references) throws ReferenceException, ConfigException {
        super.setReferences(references);
        _errors = new ErrorResponses(MAPPER, _logger);
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
        return InFlightCommands.run(endpoint, correlationId, () -> execute(correlationId, request), _errors);
    }

    private Response execute(String correlationId, ContainerRequestContext request) {
        ApplicationException refused = _auth.check(correlationId, request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (refused != null)
            return _errors.of(correlationId, refused);
        String name = request.getUriInfo().getPathParameters().getFirst(COMMAND_PARAM);
        ICommand command = _commands.get(name);
        if (command == null)
            return _errors.of(correlationId, new NotFoundException(correlationId, "UNKNOWN_COMMAND",
                    "There is no command " + name + " at " + _baseRoute).withDetails("command", name));

        InstrumentTiming timing = instrument(correlationId, _baseRoute + "." + name);
        try {
            Parameters parameters = _bodies.read(correlationId, request.getLength(), request.getEntityStream());
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
            return _errors.of(correlationId, ex);
        } finally {
            timing.endTiming();
        }
    }

    private Response refuseMethod(ContainerRequestContext request) {
        String correlationId = getCorrelationId(request);
        ApplicationException error = new BadRequestException(correlationId, "METHOD_NOT_ALLOWED",
                "Commands are called with POST, not " + request.getMethod());
        error.setStatus(405);
        return Response.fromResponse(_errors.of(correlationId, error)).header("Allow", HttpMethod.POST).build();
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
}
