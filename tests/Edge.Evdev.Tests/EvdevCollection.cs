// Tests that count native handles or descriptors of the whole process must not overlap with tests that open devices.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
