// Tests that count native handles or file descriptors of the whole process must not overlap with tests that open ports.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
