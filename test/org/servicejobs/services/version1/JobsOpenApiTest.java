package org.servicejobs.services.version1;

import org.servicejobs.TestData;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.commands.Command;
import org.pipservices3.commons.commands.ICommand;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.convert.TypeCode;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.commons.validate.MapSchema;
import org.pipservices3.commons.validate.ObjectSchema;
import org.pipservices3.commons.validate.PropertySchema;
import org.servicejobs.TestService;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobV1Schema;
import org.servicejobs.data.version1.JobsBatchV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.logic.IJobsController;
import org.servicejobs.logic.JobsController;
import org.servicejobs.persistence.JobsMemoryPersistence;
import org.servicejobs.services.CommandableJsonHttpService;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * doc/openapi.yaml against the service: its paths are the commands of the controller, its
 * request bodies the commands' schemas, its data schemas the JSON of the data classes and the
 * filter keys the store accepts, and nothing else; over real HTTP, the service serves the file
 * and every answer of the commands is one the document describes.
 */
class JobsOpenApiTest {
    private static final Path DOCUMENT = Path.of("doc", "openapi.yaml");
    private static final String BASE = "/v1/jobs/";
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head",
            "patch", "trace");
    private static final Set<String> COMPONENT_SCHEMAS = Set.of("NewJobV1", "JobV1", "JobsPage", "FilterParams",
            "PagingParams", "ErrorDescription", "JobBackoffV1", "JobErrorV1", "JobsBatchV1", "JobBatchErrorV1",
            "JobCompletionV1", "JobStats", "JobTypeStatsV1", "PausedType");
    /** The documented schema of each type a controller method returns. */
    private static final Map<Class<?>, String> RESULT_SCHEMAS = Map.of(JobV1.class, "JobV1", DataPage.class, "JobsPage",
            JobsBatchV1.class, "JobsBatchV1", Map.class, "JobStats");
    /** The documented schema of the commands whose answer the command set makes, not a controller method. */
    private static final Map<String, String> COMMAND_ANSWERS = Map.of("pause_jobs", "PausedType",
            "resume_jobs", "PausedType");
    private static final ObjectMapper JSON = CommandableJsonHttpService.mapper();

    private static JsonNode doc;
    private static List<ICommand> commands;

    @BeforeAll
    static void readDocument() throws IOException {
        doc = new ObjectMapper(new YAMLFactory()).readTree(DOCUMENT.toFile());
        commands = new JobsController().getCommandSet().getCommands();
    }

    // ---------------------------------------------------------------- the document against the code

    @Test
    void documentIsOpenApi303() {
        assertEquals("3.0.3", doc.path("openapi").asText());
        assertFalse(doc.path("info").path("title").asText().isEmpty());
    }

    @Test
    void pathsAreExactlyTheCommands() {
        Set<String> expected = commands.stream().map(command -> BASE + command.getName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, fieldNames(doc.path("paths")));
        for (ICommand command : commands) {
            JsonNode path = doc.path("paths").path(BASE + command.getName());
            Set<String> methods = new TreeSet<>(fieldNames(path));
            methods.retainAll(HTTP_METHODS);
            assertEquals(Set.of("post"), methods, command.getName() + ": operations");
            assertEquals(command.getName(), operation(command.getName()).path("operationId").asText());
        }
    }

    @Test
    void requestBodiesAreTheCommandSchemas() throws ReflectiveOperationException {
        for (ICommand command : commands) {
            String name = command.getName();
            ObjectSchema schema = schemaOf(command);
            List<PropertySchema> properties = properties(schema);
            JsonNode requestBody = operation(name).path("requestBody");
            if (requestBody.isMissingNode()) {
                assertTrue(properties.isEmpty(), name + " has parameters and no request body in the document");
                continue;
            }
            JsonNode body = resolve(requestBody.path("content").path("application/json").path("schema"));
            assertObject(name, schema, body);
            assertEquals(properties.stream().anyMatch(PropertySchema::isRequired),
                    requestBody.path("required").asBoolean(false), name + ": requestBody.required");
        }
    }

    @Test
    void everyOperationTakesTheCorrelationId() {
        for (ICommand command : commands) {
            Set<String> places = new TreeSet<>();
            for (JsonNode parameter : operation(command.getName()).path("parameters")) {
                JsonNode resolved = resolve(parameter);
                if (resolved.path("name").asText().equals("correlation_id"))
                    places.add(resolved.path("in").asText());
            }
            assertEquals(Set.of("query", "header"), places, command.getName());
        }
    }

    @Test
    void answersFollowTheController() throws NoSuchMethodException {
        for (ICommand command : commands) {
            String name = command.getName();
            JsonNode responses = operation(name).path("responses");
            Class<?> result = COMMAND_ANSWERS.containsKey(name) ? null : controllerMethod(name).getReturnType();
            if (result == void.class) {
                assertTrue(responses.path("200").isMissingNode(), name + " answers no body");
                assertFalse(responses.path("204").isMissingNode(), name + " answers 204");
            } else {
                String expected = result == null ? COMMAND_ANSWERS.get(name) : RESULT_SCHEMAS.get(result);
                assertNotNull(expected, name + " returns " + result);
                assertEquals("#/components/schemas/" + expected,
                        responses.path("200").path("content").path("application/json").path("schema").path("$ref").asText(),
                        name + ": the schema of 200");
            }
            for (Iterator<String> statuses = responses.fieldNames(); statuses.hasNext(); ) {
                String status = statuses.next();
                if (status.startsWith("2"))
                    continue;
                assertEquals("#/components/schemas/ErrorDescription",
                        resolve(responses.path(status)).path("content").path("application/json").path("schema")
                                .path("$ref").asText(), name + ": the schema of " + status);
            }
            for (String status : List.of("400", "401", "413", "503", "default"))
                assertFalse(responses.path(status).isMissingNode(), name + " may answer " + status);
        }
    }

    @Test
    void jobV1IsTheJsonOfJobV1() throws IOException {
        JsonNode schema = schema("JobV1");
        assertEquals(jsonNames(JobV1.class), fieldNames(schema.path("properties")));
        // The service writes every field, null or not.
        Set<String> written = fieldNames(JSON.readTree(JSON.writeValueAsBytes(new JobV1())));
        assertEquals(written, required(schema));
        // Types from the Pip schema of JobV1 (its required flags are for input and do not apply).
        for (PropertySchema property : properties(new JobV1Schema())) {
            JsonNode documented = schema.path("properties").path(property.getName());
            assertFalse(documented.isMissingNode(), "JobV1." + property.getName());
            assertType("JobV1." + property.getName(), property.getType(), resolve(documented));
        }
        for (BeanPropertyDefinition property : jsonProperties(JobV1.class)) {
            if (property.getPrimaryType().getRawClass() == ZonedDateTime.class)
                assertEquals("date-time", schema.path("properties").path(property.getName()).path("format").asText(),
                        "JobV1." + property.getName());
        }
    }

    @Test
    void newJobV1IsTheJsonOfNewJobV1() {
        assertEquals(jsonNames(NewJobV1.class), fieldNames(schema("NewJobV1").path("properties")));
    }

    @Test
    void jobsPageIsTheJsonOfDataPage() {
        JsonNode schema = schema("JobsPage");
        assertEquals(jsonNames(DataPage.class), fieldNames(schema.path("properties")));
        assertEquals("#/components/schemas/JobV1", schema.path("properties").path("data").path("items").path("$ref").asText());
    }

    /**
     * The documented filter keys are exactly the keys the store accepts: each documented key is
     * accepted with a value of its documented type and refused with a value that is not of it;
     * an undocumented key is refused; and no other key the store's query parser knows is accepted.
     */
    @Test
    void filterParamsAreTheKeysTheStoreAccepts() throws Exception {
        JsonNode schema = schema("FilterParams");
        assertFalse(schema.path("additionalProperties").asBoolean(true), "unknown filter keys are refused");
        Set<String> documented = fieldNames(schema.path("properties"));
        JobsMemoryPersistence store = new JobsMemoryPersistence();
        store.open(null);
        try {
            for (String key : documented) {
                JsonNode type = schema.path("properties").path(key);
                assertAccepted(store, key, sample(type));
                String wrong = wrongSample(type);
                if (wrong != null)
                    assertInvalidFilter(store, key, wrong);
            }
            assertInvalidFilter(store, "no_such_key", "x");

            Set<String> candidates = new TreeSet<>(documented);
            candidates.addAll(stringConstants(Class.forName("org.servicejobs.persistence.JobsQuery")));
            candidates.add("no_such_key");
            Set<String> accepted = new TreeSet<>();
            for (String key : candidates) {
                // An empty value is no condition: only the key is checked.
                if (isAccepted(store, key, ""))
                    accepted.add(key);
            }
            assertEquals(documented, accepted);
        } finally {
            store.close(null);
        }
    }

    @Test
    void componentsAreTheDocumentedOnesAndAllUsed() {
        assertEquals(new TreeSet<>(COMPONENT_SCHEMAS), fieldNames(doc.path("components").path("schemas")));
        Set<String> refs = new TreeSet<>();
        collectRefs(doc, refs);
        for (String ref : refs)
            assertFalse(doc.at(ref.substring(1)).isMissingNode(), "unresolved " + ref);
        for (String section : List.of("schemas", "responses", "parameters")) {
            for (String name : fieldNames(doc.path("components").path(section)))
                assertTrue(refs.contains("#/components/" + section + "/" + name), "unused component " + section + "/" + name);
        }
    }

    // ---------------------------------------------------------------- over real HTTP

    /**
     * Memory store, controller, endpoint, the v1 service (with a token) and the document service,
     * wired by hand.
     */
    @Nested
    class OverHttp {
        private static final int REQUEST_MAX_SIZE = 4096;
        private static final String TOKEN = "secret-token";
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private TestService service;
        private int port;

        @BeforeEach
        void open() throws Exception {
            JobsOpenApiServiceV1 openApi = new JobsOpenApiServiceV1();
            openApi.configure(new ConfigParams());
            service = TestService.on(new JobsMemoryPersistence())
                    .http("options.request_max_size", REQUEST_MAX_SIZE, "options.auth_token", TOKEN)
                    .with(new Descriptor("pip-services-jobs", "openapi-service", "http", "default", "1.0"), openApi)
                    .open();
            port = service.port();
        }

        @AfterEach
        void close() throws Exception {
            try {
                service.close();
            } finally {
                client.shutdownNow();
            }
        }

        /** Without the commands' token: the document is open. */
        @Test
        void servesTheDocumentAsYaml() throws Exception {
            HttpResponse<byte[]> response = send("GET", "openapi.yaml", null, false);
            assertEquals(200, response.statusCode());
            assertEquals("application/yaml", mediaType(response));
            assertArrayEquals(Files.readAllBytes(DOCUMENT), response.body());
        }

        @Test
        void commandsWorkBesideTheDocument() throws Exception {
            HttpResponse<byte[]> added = send("POST", "add_job", "{\"new_job\": {\"type\": \"t\", \"ref_id\": \"r\"}}");
            assertEquals(200, added.statusCode());
            assertEquals("t", JSON.readTree(added.body()).path("type").asText());
            HttpResponse<byte[]> page = send("POST", "get_jobs", "{}");
            assertEquals(200, page.statusCode());
            assertEquals(1, JSON.readTree(page.body()).path("data").size());
            // The commands' catch-all routes still answer other methods and unknown names.
            assertError(send("GET", "add_job", null), 405, "METHOD_NOT_ALLOWED");
            assertError(send("POST", "no_such_command", "{}"), 404, "UNKNOWN_COMMAND");
            // The document's literal route takes GET only: a POST to it still reaches the commands.
            assertError(send("POST", "openapi.yaml", "{}"), 404, "UNKNOWN_COMMAND");
        }

        /** Every command in the cases it meets: the answer's status and body are the document's. */
        @Test
        void everyAnswerIsDocumented() throws Exception {
            String id = JSON.readTree(answer("add_job", "{\"new_job\": {\"type\": \"t\", \"ref_id\": \"r\", \"ttl\": 60000, \"params\": {\"a\": [1]}}}", 200).body())
                    .path("id").asText();
            answer("add_uniq_job", "{\"new_job\": {\"type\": \"t\", \"ref_id\": \"r\"}}", 200);
            answer("get_jobs", "", 200);
            answer("get_jobs", "{\"filter\": {\"type\": \"t\", \"min_retries\": 0}, \"paging\": {\"skip\": 0, \"take\": 5, \"total\": true}}", 200);
            answer("get_jobs", "{\"filter\": {\"no_such_key\": 1}}", 400);
            answer("get_job_by_id", "{\"job_id\": \"" + id + "\"}", 200);
            answer("get_job_by_id", "{\"job_id\": \"none\"}", 204);
            answer("get_job_by_id", "{}", 400);
            answer("start_job_by_id", "{\"job_id\": \"none\", \"timeout\": 1000}", 404);
            String token = JSON.readTree(answer("start_job_by_id", "{\"job_id\": \"" + id + "\", \"timeout\": 60000}", 200).body())
                    .path("lock_token").asText();
            answer("start_job_by_id", "{\"job_id\": \"" + id + "\", \"timeout\": 60000}", 409);
            answer("start_job_by_type", "{\"type\": \"t\", \"timeout\": 0}", 400);
            answer("start_job_by_type", "{\"type\": \"t\", \"timeout\": 1000, \"wait\": 0}", 204);
            answer("extend_job", "{\"job_id\": \"" + id + "\", \"timeout\": 60000, \"lock_token\": \"" + token + "\"}", 200);
            answer("extend_job", "{\"job_id\": \"" + id + "\", \"timeout\": 60000, \"lock_token\": \"stale\"}", 409);
            answer("extend_job", "{\"job_id\": \"none\", \"timeout\": 60000}", 404);
            answer("abort_job", "{\"job_id\": \"" + id + "\", \"lock_token\": \"" + token + "\"}", 200);
            answer("abort_job", "{\"job_id\": \"" + id + "\"}", 409);
            answer("abort_job", "{\"job_id\": \"none\"}", 404);
            answer("start_job_by_type", "{\"type\": \"t\", \"timeout\": 60000}", 200);
            answer("complete_job", "{\"job_id\": \"" + id + "\"}", 200);
            answer("complete_job", "{\"job_id\": \"" + id + "\"}", 409);
            answer("complete_job", "{\"job_id\": \"none\"}", 404);
            answer("delete_job_by_id", "{\"job_id\": \"" + id + "\"}", 200);
            answer("delete_job_by_id", "{\"job_id\": \"" + id + "\"}", 204);
            answer("delete_jobs", "", 204);
            for (ICommand command : commands) {
                check(command.getName(), "no token", send("POST", command.getName(), "{}", false), 401);
                answer(command.getName(), "[]", 400);
                answer(command.getName(), "{\"x\": \"" + "y".repeat(REQUEST_MAX_SIZE) + "\"}", 413);
            }
        }

        /** Sends a command, checks the status and that the document has it, with the body's schema. */
        private HttpResponse<byte[]> answer(String command, String body, int status) throws Exception {
            return check(command, body.substring(0, Math.min(body.length(), 80)), send("POST", command, body), status);
        }

        private HttpResponse<byte[]> check(String command, String request, HttpResponse<byte[]> response, int status)
                throws IOException {
            String where = command + " " + request;
            assertEquals(status, response.statusCode(), where + ": " + new String(response.body()));
            JsonNode documented = resolve(operation(command).path("responses").path(String.valueOf(status)));
            assertFalse(documented.isMissingNode(), where + ": " + status + " is not in the document");
            JsonNode schema = documented.path("content").path("application/json").path("schema");
            if (schema.isMissingNode()) {
                assertEquals(0, response.body().length, where + ": an empty body");
            } else {
                assertEquals("application/json", mediaType(response), where);
                assertMatches(where, schema, JSON.readTree(response.body()));
            }
            return response;
        }

        private void assertError(HttpResponse<byte[]> response, int status, String code) throws IOException {
            assertEquals(status, response.statusCode());
            JsonNode error = JSON.readTree(response.body());
            assertEquals(code, error.path("code").asText());
            assertMatches("error " + code, doc.path("components").path("schemas").path("ErrorDescription"), error);
        }

        private HttpResponse<byte[]> send(String method, String route, String body) throws Exception {
            return send(method, route, body, true);
        }

        private HttpResponse<byte[]> send(String method, String route, String body, boolean token) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + BASE + route))
                    .timeout(Duration.ofSeconds(30));
            if (token)
                request.header("Authorization", "Bearer " + TOKEN);
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode operation(String command) {
        return doc.path("paths").path(BASE + command).path("post");
    }

    private static JsonNode schema(String name) {
        JsonNode schema = doc.path("components").path("schemas").path(name);
        assertFalse(schema.isMissingNode(), "components/schemas/" + name);
        return schema;
    }

    /** Follows local $refs. */
    private static JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            assertTrue(ref.startsWith("#/"), "a local $ref: " + ref);
            node = doc.at(ref.substring(1));
            assertFalse(node.isMissingNode(), "unresolved " + ref);
        }
        return node;
    }

    private static void collectRefs(JsonNode node, Set<String> refs) {
        if (node.has("$ref"))
            refs.add(node.get("$ref").asText());
        for (JsonNode child : node)
            collectRefs(child, refs);
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> required(JsonNode schema) {
        Set<String> names = new TreeSet<>();
        schema.path("required").forEach(name -> names.add(name.asText()));
        return names;
    }

    /** The Pip schema of a command: Command has no getter for it. */
    private static ObjectSchema schemaOf(ICommand command) throws ReflectiveOperationException {
        Field field = Command.class.getDeclaredField("_schema");
        field.setAccessible(true);
        return (ObjectSchema) field.get(command);
    }

    private static List<PropertySchema> properties(ObjectSchema schema) {
        return schema.getProperties() == null ? List.of() : schema.getProperties();
    }

    /** A documented object schema has the properties of a Pip schema, its required ones, and their types. */
    private static void assertObject(String where, ObjectSchema expected, JsonNode schema) {
        assertEquals("object", schema.path("type").asText(), where);
        List<PropertySchema> properties = properties(expected);
        assertEquals(properties.stream().map(PropertySchema::getName).collect(Collectors.toCollection(TreeSet::new)),
                fieldNames(schema.path("properties")), where + ": properties");
        assertEquals(properties.stream().filter(PropertySchema::isRequired).map(PropertySchema::getName)
                .collect(Collectors.toCollection(TreeSet::new)), required(schema), where + ": required");
        for (PropertySchema property : properties)
            assertType(where + "." + property.getName(), property.getType(),
                    resolve(schema.path("properties").path(property.getName())));
    }

    /** The documented type of a property typed in a Pip schema; an untyped one is checked by its command. */
    private static void assertType(String where, Object type, JsonNode schema) {
        if (type == null)
            return;
        if (type instanceof ObjectSchema object) {
            assertObject(where, object, schema);
        } else if (type instanceof MapSchema) {
            assertEquals("object", schema.path("type").asText(), where);
        } else if (type instanceof TypeCode code) {
            switch (code) {
                case String -> {
                    assertEquals("string", schema.path("type").asText(), where);
                    assertFalse(schema.path("format").asText().equals("date-time"), where + " is not a date");
                }
                case Integer, Long -> assertEquals("integer", schema.path("type").asText(), where);
                case Boolean -> assertEquals("boolean", schema.path("type").asText(), where);
                case DateTime -> {
                    assertEquals("string", schema.path("type").asText(), where);
                    assertEquals("date-time", schema.path("format").asText(), where);
                }
                default -> fail(where + ": no OpenAPI type for " + code);
            }
        } else {
            fail(where + ": no OpenAPI type for " + type);
        }
    }

    /** A JSON value matches a documented schema: types, nullability, required and known properties. */
    private static void assertMatches(String where, JsonNode schema, JsonNode value) {
        schema = resolve(schema);
        if (value.isNull()) {
            assertTrue(schema.path("nullable").asBoolean(false) || !schema.has("type"), where + " may not be null");
            return;
        }
        switch (schema.path("type").asText()) {
            case "object" -> {
                assertTrue(value.isObject(), where + " is an object");
                Set<String> keys = fieldNames(value);
                if (schema.has("properties") && !schema.path("additionalProperties").asBoolean(false))
                    assertTrue(fieldNames(schema.path("properties")).containsAll(keys),
                            where + ": undocumented fields in " + keys);
                assertTrue(keys.containsAll(required(schema)), where + ": missing fields of " + required(schema));
                for (String key : keys) {
                    JsonNode property = schema.path("properties").path(key);
                    if (!property.isMissingNode())
                        assertMatches(where + "." + key, property, value.get(key));
                }
            }
            case "array" -> {
                assertTrue(value.isArray(), where + " is an array");
                for (JsonNode item : value)
                    assertMatches(where + "[]", schema.path("items"), item);
            }
            case "string" -> {
                assertTrue(value.isTextual(), where + " is a string");
                if (schema.path("format").asText().equals("date-time"))
                    OffsetDateTime.parse(value.asText());
            }
            case "integer" -> assertTrue(value.isIntegralNumber(), where + " is an integer");
            case "boolean" -> assertTrue(value.isBoolean(), where + " is a boolean");
            case "" -> {
                // Any JSON value.
            }
            default -> fail(where + ": unexpected type " + schema.path("type").asText());
        }
    }

    private static String mediaType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("").split(";")[0].trim().toLowerCase();
    }

    private static List<BeanPropertyDefinition> jsonProperties(Class<?> type) {
        ObjectMapper mapper = new ObjectMapper();
        BeanDescription description = mapper.getSerializationConfig().introspect(mapper.constructType(type));
        return description.findProperties().stream().filter(BeanPropertyDefinition::couldSerialize).toList();
    }

    private static Set<String> jsonNames(Class<?> type) {
        return jsonProperties(type).stream().map(BeanPropertyDefinition::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Method controllerMethod(String command) throws NoSuchMethodException {
        StringBuilder name = new StringBuilder();
        for (String part : command.split("_"))
            name.append(name.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        for (Method method : IJobsController.class.getMethods()) {
            if (method.getName().contentEquals(name))
                return method;
        }
        throw new NoSuchMethodException("IJobsController." + name + " for the command " + command);
    }

    /** Every String held by the static fields of a class and the fields of its nested enums. */
    private static Set<String> stringConstants(Class<?> type) throws IllegalAccessException {
        Set<String> strings = new TreeSet<>();
        for (Field field : type.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers()))
                continue;
            field.setAccessible(true);
            addStrings(field.get(null), strings);
        }
        for (Class<?> nested : type.getDeclaredClasses()) {
            if (!nested.isEnum())
                continue;
            for (Object constant : nested.getEnumConstants()) {
                for (Field field : nested.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()))
                        continue;
                    field.setAccessible(true);
                    addStrings(field.get(constant), strings);
                }
            }
        }
        return strings;
    }

    private static void addStrings(Object value, Set<String> strings) {
        if (value instanceof String text)
            strings.add(text);
        else if (value instanceof Collection<?> collection)
            collection.forEach(item -> addStrings(item, strings));
    }

    private static Object sample(JsonNode schema) {
        if (schema.has("example"))
            return schema.get("example").asText();
        return switch (schema.path("type").asText()) {
            case "integer" -> 1;
            case "string" -> schema.path("format").asText().equals("date-time") ? "2026-01-01T00:00:00.000Z" : "x";
            default -> throw new AssertionError("no sample for a filter value of type " + schema.path("type"));
        };
    }

    private static String wrongSample(JsonNode schema) {
        if (schema.path("type").asText().equals("integer"))
            return "x";
        return schema.path("format").asText().equals("date-time") ? "not a date" : null;
    }

    private static boolean isAccepted(JobsMemoryPersistence store, String key, Object value) throws Exception {
        try {
            store.getPageByFilter(null, filter(key, value), new PagingParams(), TestData.MOMENT);
            return true;
        } catch (BadRequestException ex) {
            assertEquals("INVALID_FILTER", ex.getCode(), key);
            return false;
        }
    }

    private static void assertAccepted(JobsMemoryPersistence store, String key, Object value) throws Exception {
        assertTrue(isAccepted(store, key, value), "the store refuses the documented filter " + key + "=" + value);
    }

    private static void assertInvalidFilter(JobsMemoryPersistence store, String key, Object value) {
        BadRequestException error = assertThrows(BadRequestException.class,
                () -> store.getPageByFilter(null, filter(key, value), new PagingParams(), TestData.MOMENT), key + "=" + value);
        assertEquals("INVALID_FILTER", error.getCode());
    }

    private static FilterParams filter(String key, Object value) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key, value);
        return FilterParams.fromValue(map);
    }
}
