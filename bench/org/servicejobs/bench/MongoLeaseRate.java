package org.servicejobs.bench;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.refer.References;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.JobLease;
import org.servicejobs.persistence.JobsMongoDbPersistence;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lease+complete rate through the MongoDB store, 8 callers, against mongo-java-server (an
 * in-process wire-protocol server that keeps no indexes: every query scans, so the rate falls
 * with the backlog; a real MongoDB serves the lease from the index type_free_order).
 */
public final class MongoLeaseRate {
    private MongoLeaseRate() {
    }

    public static void main(String[] args) throws Exception {
        MongoServer server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        try {
            for (int jobs : new int[]{1_000, 5_000}) {
                JobsMongoDbPersistence store = new JobsMongoDbPersistence();
                store.configure(ConfigParams.fromTuples("connection.uri",
                        "mongodb://127.0.0.1:" + address.getPort() + "/bench" + jobs));
                store.setReferences(new References());
                store.open(null);
                for (int i = 0; i < jobs; i++)
                    store.create(null, Stores.job(Stores.TYPE, i));
                AtomicLong done = new AtomicLong();
                long started = System.nanoTime();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    Thread thread = new Thread(() -> {
                        try {
                            while (true) {
                                String token = "t" + done.get() + Thread.currentThread().getId();
                                JobV1 job = store.startJobByType(null, Stores.TYPE,
                                        new JobLease(Stores.START.plusDays(1), Stores.START.plusDays(2), 10, token));
                                if (job == null)
                                    return;
                                store.completeJob(null, job.getId(), token, Stores.START.plusDays(1), null);
                                done.incrementAndGet();
                            }
                        } catch (Exception ex) {
                            throw new IllegalStateException(ex);
                        }
                    });
                    thread.start();
                    threads.add(thread);
                }
                for (Thread thread : threads)
                    thread.join();
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("MongoDB store on mongo-java-server, %,d jobs, 8 callers: %,.0f lease+complete per second%n",
                        jobs, done.get() / seconds);
                store.deleteAll(null);
                store.close(null);
            }
        } finally {
            server.shutdownNow();
        }
    }
}
