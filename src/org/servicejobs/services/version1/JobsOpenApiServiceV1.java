package org.servicejobs.services.version1;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.process.Inflector;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.FileException;
import org.pipservices3.rpc.services.RestService;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the OpenAPI 3 description of the HTTP protocol v1 as
 * <code>GET /v1/jobs/openapi.yaml</code>, content type <code>application/yaml</code>. The
 * document is doc/openapi.yaml, which the build puts in the jar beside this class; opening the
 * service fails when it is missing.
 * <p>
 * Its route is a literal path, so Jersey prefers it to the <code>v1/jobs/{command}</code> routes
 * of {@link JobsHttpServiceV1} for a GET (they answer 405 to one); other methods on it still reach
 * those routes.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>base_route: base route (default v1/jobs)</li>
 * <li>route: the route of the document under the base route (default openapi.yaml)</li>
 * <li>dependencies:
 * <ul><li>endpoint: override for the HTTP endpoint dependency</li></ul>
 * </li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>*:endpoint:http:*:1.0 (optional) the HTTP endpoint to share (else the service opens its own)</li>
 * <li>*:logger:*:*:1.0 (optional) ILogger components to pass log messages</li>
 * </ul>
 */
public class JobsOpenApiServiceV1 extends RestService {
    public static final String DEFAULT_BASE_ROUTE = "v1/jobs";
    public static final String DEFAULT_ROUTE = "openapi.yaml";
    public static final String MEDIA_TYPE = "application/yaml";
    /** The document, relative to this class in the jar (see the resources of pom.xml). */
    static final String RESOURCE = "openapi.yaml";

    private final byte[] _document;
    private String _route = DEFAULT_ROUTE;

    public JobsOpenApiServiceV1() {
        _baseRoute = DEFAULT_BASE_ROUTE;
        _document = readDocument();
    }

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        super.configure(config);
        _route = config.getAsStringWithDefault("route", _route);
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        if (_document == null)
            throw new FileException(correlationId, "OPENAPI_MISSING",
                    "The OpenAPI document " + RESOURCE + " is not in the jar beside "
                            + JobsOpenApiServiceV1.class.getName() + ": the Maven build copies doc/openapi.yaml there");
        super.open(correlationId);
    }

    @Override
    public void register() {
        if (_document == null)
            return;
        // An anonymous class, not a lambda: Jersey reads the request type from the class signature.
        registerRoute(HttpMethod.GET, _route, new Inflector<ContainerRequestContext, Response>() {
            @Override
            public Response apply(ContainerRequestContext request) {
                return Response.ok(_document, MEDIA_TYPE).build();
            }
        });
    }

    private static byte[] readDocument() {
        try (InputStream stream = JobsOpenApiServiceV1.class.getResourceAsStream(RESOURCE)) {
            return stream == null ? null : stream.readAllBytes();
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot read the OpenAPI document " + RESOURCE, ex);
        }
    }
}
