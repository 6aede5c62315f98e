package org.servicejobs.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A small HTTP/1.1 load driver for the jobs service: N keep-alive connections, each a thread
 * sending one request after another, for a fixed time per scenario, after a warm-up. Prints the
 * rate of each scenario and its ratio to the no-op command of the same HTTP stack.
 * <p>
 * Usage: HttpLoad &lt;port&gt; [connections=32] [warmup seconds=30] [seconds per scenario=10].
 * The server must run with bench/config.yml (the no-op command) and MAX_RETRIES=1000 (the lease
 * scenario leases the same jobs again and again with 1 ms leases). The batch scenarios count jobs:
 * add_jobs with 100 jobs per call, and a cycle of start_jobs_by_type (count 100) and complete_jobs.
 */
public final class HttpLoad {
    private final int port;
    private final int connections;
    private final List<String> ids = new ArrayList<>();
    private final AtomicLong counter = new AtomicLong();

    private HttpLoad(int port, int connections) {
        this.port = port;
        this.connections = connections;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        new HttpLoad(port, connections).run(warmup, seconds);
    }

    /** One request, and what to do with its answer; a scenario is a loop of steps on one connection. */
    private interface Step {
        /** Sends one unit of work (one or more requests); returns the requests it made. */
        int run(Connection connection) throws IOException;
    }

    private void run(int warmupSeconds, int seconds) throws Exception {
        try (Connection setup = new Connection(port)) {
            for (int i = 0; i < 1000; i++)
                ids.add(field(setup.post("/v1/jobs/add_job", newJob("byid", i)), "id"));
            for (int i = 0; i < 5000; i++)
                setup.post("/v1/jobs/add_job", newJob("spin", i));
        }
        String[][] scenarios = {{"noop"}, {"add_job"}, {"get_job_by_id"}, {"start_job_by_type"}, {"lease+complete"},
                {"add_jobs x100"}, {"batch cycle x100"}};
        System.out.printf("warming up for %d s ...%n", warmupSeconds);
        long warmupEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        while (System.nanoTime() < warmupEnd) {
            for (String[] scenario : scenarios)
                measure(scenario[0], 2);
        }
        double noop = 0;
        java.util.Map<String, Double> rates = new java.util.HashMap<>();
        System.out.printf("%-18s %12s %10s%n", "scenario", "per second", "vs noop");
        for (String[] scenario : scenarios) {
            double rate = measure(scenario[0], seconds);
            rates.put(scenario[0], rate);
            if (scenario[0].equals("noop"))
                noop = rate;
            String unit = switch (scenario[0]) {
                case "lease+complete" -> " cycles";
                case "add_jobs x100", "batch cycle x100" -> " jobs (calls: " + Math.round(rate / 100) + "/s)";
                default -> "";
            };
            System.out.printf(Locale.ROOT, "%-18s %12.0f %9.0f%%%s%n", scenario[0], rate, 100 * rate / noop, unit);
        }
        System.out.printf(Locale.ROOT, "jobs added per second: add_jobs x100 / add_job = %.1fx%n",
                rates.get("add_jobs x100") / rates.get("add_job"));
        System.out.printf(Locale.ROOT, "jobs leased and completed per second: batch cycle / lease+complete = %.1fx%n",
                rates.get("batch cycle x100") / rates.get("lease+complete"));
    }

    private Step step(String scenario) {
        return switch (scenario) {
            case "noop" -> connection -> {
                connection.post("/v1/bench/noop", "{}");
                return 1;
            };
            case "add_job" -> connection -> {
                connection.post("/v1/jobs/add_job", newJob("load", counter.incrementAndGet()));
                return 1;
            };
            case "get_job_by_id" -> connection -> {
                String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                connection.post("/v1/jobs/get_job_by_id", "{\"job_id\":\"" + id + "\"}");
                return 1;
            };
            case "start_job_by_type" -> connection -> {
                connection.post("/v1/jobs/start_job_by_type", "{\"type\":\"spin\",\"timeout\":1}");
                return 1;
            };
            case "lease+complete" -> connection -> {
                String job = connection.post("/v1/jobs/start_job_by_type", "{\"type\":\"load\",\"timeout\":60000}");
                if (job.isEmpty())
                    throw new IllegalStateException("no job of type load left to lease: add more in the add_job phase");
                connection.post("/v1/jobs/complete_job", "{\"job_id\":\"" + field(job, "id") + "\",\"lock_token\":\""
                        + field(job, "lock_token") + "\"}");
                return 1;
            };
            case "add_jobs x100" -> connection -> {
                connection.post("/v1/jobs/add_jobs", newJobs("batch", BATCH));
                return BATCH;
            };
            case "batch cycle x100" -> connection -> {
                String leased = connection.post("/v1/jobs/start_jobs_by_type",
                        "{\"type\":\"batch\",\"timeout\":60000,\"count\":" + BATCH + "}");
                List<String> ids = fields(leased, "id");
                List<String> tokens = fields(leased, "lock_token");
                if (ids.isEmpty())
                    throw new IllegalStateException("no job of type batch left to lease: add more before the cycle");
                StringBuilder body = new StringBuilder("{\"jobs\":[");
                for (int i = 0; i < ids.size(); i++)
                    body.append(i == 0 ? "" : ",").append("{\"job_id\":\"").append(ids.get(i))
                            .append("\",\"lock_token\":\"").append(tokens.get(i)).append("\"}");
                String answer = connection.post("/v1/jobs/complete_jobs", body.append("]}").toString());
                if (answer.contains("\"errors\":[{"))
                    throw new IllegalStateException("complete_jobs refused some: " + answer);
                return ids.size();
            };
            default -> throw new IllegalArgumentException(scenario);
        };
    }

    private static final int BATCH = 100;

    private static String newJobs(String type, int count) {
        StringBuilder body = new StringBuilder("{\"new_jobs\":[");
        for (int i = 0; i < count; i++) {
            long n = COUNTER.incrementAndGet();
            body.append(i == 0 ? "" : ",").append("{\"type\":\"").append(type).append("\",\"ref_id\":\"ref-")
                    .append(n).append("\",\"params\":{\"n\":").append(n).append("}}");
        }
        return body.append("]}").toString();
    }

    private static final AtomicLong COUNTER = new AtomicLong(1L << 40);

    /** Every value of a string field, in order. */
    private static List<String> fields(String json, String name) {
        List<String> values = new ArrayList<>();
        String key = "\"" + name + "\":\"";
        for (int start = json.indexOf(key); start >= 0; start = json.indexOf(key, start)) {
            start += key.length();
            int end = json.indexOf('"', start);
            values.add(json.substring(start, end));
            start = end;
        }
        return values;
    }

    /** Runs a scenario on every connection for some seconds; returns the units of work per second. */
    private double measure(String scenario, int seconds) throws Exception {
        if (scenario.equals("lease+complete"))
            repeat(seconds * 8000L, step("add_job"));
        if (scenario.equals("batch cycle x100"))
            repeat(seconds * 60_000L / BATCH, step("add_jobs x100"));
        Step step = step(scenario);
        LongAdder done = new LongAdder();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            Thread thread = new Thread(() -> {
                try (Connection connection = new Connection(port)) {
                    while (System.nanoTime() < end)
                        done.add(step.run(connection));
                } catch (Throwable ex) {
                    errors.add(ex);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads)
            thread.join();
        if (!errors.isEmpty())
            throw new IllegalStateException(scenario + " failed: " + errors.peek(), errors.peek());
        return done.sum() / ((System.nanoTime() - started) / 1e9);
    }

    /** Runs a step <code>times</code> times over all the connections (to add the jobs a scenario takes). */
    private void repeat(long times, Step step) throws Exception {
        AtomicLong left = new AtomicLong(times);
        List<Thread> threads = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        for (int c = 0; c < connections; c++) {
            Thread thread = new Thread(() -> {
                try (Connection connection = new Connection(port)) {
                    while (left.decrementAndGet() >= 0)
                        step.run(connection);
                } catch (Throwable ex) {
                    errors.add(ex);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads)
            thread.join();
        if (!errors.isEmpty())
            throw new IllegalStateException("adding jobs failed: " + errors.peek(), errors.peek());
    }

    private static String newJob(String type, long n) {
        return "{\"new_job\":{\"type\":\"" + type + "\",\"ref_id\":\"ref-" + n + "\",\"params\":{\"n\":" + n + "}}}";
    }

    private static String field(String json, String name) {
        String key = "\"" + name + "\":\"";
        int start = json.indexOf(key);
        if (start < 0)
            throw new IllegalStateException("no " + name + " in " + json);
        start += key.length();
        return json.substring(start, json.indexOf('"', start));
    }

    /** One keep-alive HTTP/1.1 connection. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] head;

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            head = ("Host: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        /** Posts a body; returns the answer's body ("" for 204), or fails on a status of 400 or more. */
        String post(String path, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST " + path + " HTTP/1.1\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            out.write(("Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            String status = line();
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:"))
                    length = Long.parseLong(lower.substring(15).trim());
                else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked"))
                    chunked = true;
            }
            StringBuilder answer = new StringBuilder();
            if (chunked) {
                for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                    answer.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                    line();
                }
                line();
            } else if (length > 0) {
                answer.append(new String(in.readNBytes((int) length), StandardCharsets.UTF_8));
            }
            if (code >= 400)
                throw new IOException("HTTP " + code + " from " + path + ": " + answer);
            return answer.toString();
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0)
                    throw new IOException("the server closed the connection");
                if (c != '\r')
                    line.append((char) c);
            }
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
