namespace Serverless.Lambda.Metrics;

/// <summary>
/// Places the parts of a flush (a dimension set's metrics, or their next hundred values) into as few documents as the
/// embedded metric format allows, first fit in the order recorded. A part joins a document when the document's root
/// can hold its members beside the others': every dimension name they share has the same value, a metric name already
/// a member is the same series (unit, resolution and values: then both directives name the one member), and the
/// document stays within <see cref="EmfDocumentWriter.MaxMetricsPerDocument"/> metrics.
/// The parts and documents are kept and reused by the next flush of the same thread.
/// </summary>
internal sealed class EmfDocumentPlan
{
    private readonly List<Part> parts = [];
    private readonly List<Document> documents = [];
    private int partsUsed;
    private int documentsUsed;

    public int Count => documentsUsed;

    public Document this[int index] => documents[index];

    public void Clear()
    {
        partsUsed = 0;
        documentsUsed = 0;
    }

    /// <summary>A new part (empty of metrics) for <paramref name="group"/>'s values of <paramref name="round"/>.</summary>
    public Part NewPart(MetricGroup group, int round)
    {
        if (partsUsed == parts.Count)
        {
            parts.Add(new Part());
        }

        var part = parts[partsUsed++];
        part.Reset(group, round);
        return part;
    }

    public void Place(Part part)
    {
        for (var d = 0; d < documentsUsed; d++)
        {
            if (documents[d].Fits(part))
            {
                documents[d].Add(part);
                return;
            }
        }

        if (documentsUsed == documents.Count)
        {
            documents.Add(new Document());
        }

        var document = documents[documentsUsed++];
        document.Reset();
        document.Add(part);
    }

    internal sealed class Part
    {
        public MetricGroup Group { get; private set; } = null!;

        public int Round { get; private set; }

        public List<RecordedMetric> Metrics { get; } = [];

        public void Reset(MetricGroup group, int round)
        {
            Group = group;
            Round = round;
            Metrics.Clear();
        }

        public bool HasMetric(string name) => Find(name) is not null;

        public RecordedMetric? Find(string name)
        {
            foreach (var metric in Metrics)
            {
                if (metric.Name == name)
                {
                    return metric;
                }
            }

            return null;
        }
    }

    internal sealed class Document
    {
        private int metricCount;

        public List<Part> Parts { get; } = [];

        public void Reset()
        {
            Parts.Clear();
            metricCount = 0;
        }

        public void Add(Part part)
        {
            Parts.Add(part);
            metricCount += part.Metrics.Count;
        }

        public bool Fits(Part part)
        {
            if (metricCount + part.Metrics.Count > EmfDocumentWriter.MaxMetricsPerDocument)
            {
                return false;
            }

            foreach (var placed in Parts)
            {
                foreach (var metric in part.Metrics)
                {
                    // A metric another directive of the document names is one root member: the same only when it is the
                    // same series of values (the request's latency by route and over the whole API), else it means two things.
                    if ((placed.Find(metric.Name) is { } other && !SameMember(placed, other, part, metric)) || placed.Group.HasDimension(metric.Name))
                    {
                        return false;
                    }
                }

                foreach (var (name, value) in part.Group.Dimensions)
                {
                    if (placed.HasMetric(name) || (placed.Group.ValueOf(name) is { } other && other != value))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        /// <summary>
        /// Whether two parts' metrics of one name can be one root member: the same unit and resolution (each directive
        /// defines the metric) and the same values of their rounds, in order.
        /// </summary>
        private static bool SameMember(Part placed, RecordedMetric one, Part part, RecordedMetric other)
        {
            if (one.Unit != other.Unit || one.StorageResolution != other.StorageResolution)
            {
                return false;
            }

            var from = placed.Round * EmfDocumentWriter.MaxValuesPerMetric;
            var count = Math.Min(EmfDocumentWriter.MaxValuesPerMetric, one.Values.Count - from);
            var otherFrom = part.Round * EmfDocumentWriter.MaxValuesPerMetric;
            if (Math.Min(EmfDocumentWriter.MaxValuesPerMetric, other.Values.Count - otherFrom) != count)
            {
                return false;
            }

            for (var i = 0; i < count; i++)
            {
                if (one.Values[from + i] != other.Values[otherFrom + i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Whether a part before <paramref name="index"/> has the metric, so its values are written already.</summary>
        public bool HasMetricBefore(int index, string name)
        {
            for (var p = 0; p < index; p++)
            {
                if (Parts[p].HasMetric(name))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether a part before <paramref name="index"/> has the dimension, so its value is written already.</summary>
        public bool HasDimensionBefore(int index, string name)
        {
            for (var p = 0; p < index; p++)
            {
                if (Parts[p].Group.HasDimension(name))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether a directive of the document names <paramref name="name"/>, as a dimension or a metric.</summary>
        public bool Names(string name)
        {
            foreach (var part in Parts)
            {
                if (part.Group.HasDimension(name) || part.HasMetric(name))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
