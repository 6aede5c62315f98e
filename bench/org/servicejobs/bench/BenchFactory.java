package org.servicejobs.bench;

import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.commons.refer.IReferenceable;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.components.build.Factory;

/**
 * Creates the benchmark-only components: a no-op command on the same HTTP stack as the jobs
 * service, the ceiling every HTTP figure is compared with. bench/config.yml adds this factory
 * and its components.
 */
public class BenchFactory extends Factory implements IReferenceable {
    public static final Descriptor NoopControllerDescriptor = new Descriptor("pip-services-jobs-bench", "controller", "noop", "*", "1.0");
    public static final Descriptor NoopServiceDescriptor = new Descriptor("pip-services-jobs-bench", "service", "noop", "*", "1.0");

    public BenchFactory() {
        registerAsType(NoopControllerDescriptor, NoopController.class);
        registerAsType(NoopServiceDescriptor, NoopHttpService.class);
    }

    /** Pip's container gives references to a factory it makes from the config; this one needs none. */
    @Override
    public void setReferences(IReferences references) {
    }
}
