using System.Text;

namespace SemanticRouter.Embeddings;

/// <summary>One graph input or output of an ONNX model: name, element type (ONNX TensorProto.DataType)
/// and shape (-1 for a symbolic dimension).</summary>
internal sealed record OnnxTensorInfo(string Name, int ElementType, long[] Shape)
{
    public const int Float = 1;
    public const int Int64 = 7;
}

/// <summary>
/// Reads the declared graph inputs and outputs of an .onnx file without loading its weights: a
/// minimal protobuf walk (ModelProto.graph → GraphProto.input/output → ValueInfoProto) that seeks
/// over everything else, so checking a 90 MB model costs a few reads rather than a session.
/// </summary>
internal static class OnnxModelInfo
{
    public static (IReadOnlyList<OnnxTensorInfo> Inputs, IReadOnlyList<OnnxTensorInfo> Outputs) Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var inputs = new List<OnnxTensorInfo>();
        var outputs = new List<OnnxTensorInfo>();
        bool sawGraph = false;
        long end = stream.Length;
        while (stream.Position < end)
        {
            (int field, int wire) = ReadTag(stream);
            if (field == 7 && wire == 2)
            {
                long length = ReadVarint(stream);
                long graphEnd = checked(stream.Position + length);
                if (graphEnd > end)
                {
                    throw new InvalidDataException("truncated graph");
                }

                sawGraph = true;
                while (stream.Position < graphEnd)
                {
                    (int gField, int gWire) = ReadTag(stream);
                    if ((gField == 11 || gField == 12) && gWire == 2)
                    {
                        byte[] bytes = ReadBytes(stream, ReadVarint(stream));
                        (gField == 11 ? inputs : outputs).Add(ParseValueInfo(bytes));
                    }
                    else
                    {
                        Skip(stream, gWire);
                    }
                }
            }
            else
            {
                Skip(stream, wire);
            }
        }

        if (!sawGraph)
        {
            throw new InvalidDataException("no graph in the file (not an ONNX model)");
        }

        return (inputs, outputs);
    }

    private static OnnxTensorInfo ParseValueInfo(byte[] bytes)
    {
        string name = "";
        int elementType = 0;
        var shape = new List<long>();
        var r = new Reader(bytes, 0, bytes.Length);
        while (r.More)
        {
            (int f, int w) = r.Tag();
            if (f == 1 && w == 2)
            {
                name = r.String();
            }
            else if (f == 2 && w == 2)
            {
                // TypeProto: tensor_type = 1 → elem_type = 1, shape = 2 → dim = 1 → dim_value = 1 | dim_param = 2
                var type = r.Sub();
                while (type.More)
                {
                    (int tf, int tw) = type.Tag();
                    if (tf == 1 && tw == 2)
                    {
                        var tensor = type.Sub();
                        while (tensor.More)
                        {
                            (int xf, int xw) = tensor.Tag();
                            if (xf == 1 && xw == 0)
                            {
                                elementType = (int)tensor.Varint();
                            }
                            else if (xf == 2 && xw == 2)
                            {
                                var shp = tensor.Sub();
                                while (shp.More)
                                {
                                    (int sf, int sw) = shp.Tag();
                                    if (sf == 1 && sw == 2)
                                    {
                                        var dim = shp.Sub();
                                        long value = -1;
                                        while (dim.More)
                                        {
                                            (int df, int dw) = dim.Tag();
                                            if (df == 1 && dw == 0)
                                            {
                                                value = (long)dim.Varint();
                                            }
                                            else
                                            {
                                                dim.Skip(dw);
                                            }
                                        }

                                        shape.Add(value);
                                    }
                                    else
                                    {
                                        shp.Skip(sw);
                                    }
                                }
                            }
                            else
                            {
                                tensor.Skip(xw);
                            }
                        }
                    }
                    else
                    {
                        type.Skip(tw);
                    }
                }
            }
            else
            {
                r.Skip(w);
            }
        }

        return new OnnxTensorInfo(name, elementType, [.. shape]);
    }

    private static (int Field, int Wire) ReadTag(Stream s)
    {
        ulong tag = (ulong)ReadVarint(s);
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    private static long ReadVarint(Stream s)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            int b = s.ReadByte();
            if (b < 0)
            {
                throw new InvalidDataException("truncated protobuf varint");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)result;
            }
        }

        throw new InvalidDataException("bad protobuf varint");
    }

    private static byte[] ReadBytes(Stream s, long length)
    {
        if (length < 0 || length > 64 << 20 || s.Position + length > s.Length)
        {
            throw new InvalidDataException("bad protobuf length");
        }

        byte[] bytes = new byte[length];
        s.ReadExactly(bytes);
        return bytes;
    }

    private static void Skip(Stream s, int wire)
    {
        long skip = wire switch
        {
            0 => ReadVarintAndZero(s),
            1 => 8,
            2 => ReadVarint(s),
            5 => 4,
            _ => throw new InvalidDataException($"unsupported protobuf wire type {wire}"),
        };
        if (skip < 0 || s.Position + skip > s.Length)
        {
            throw new InvalidDataException("truncated protobuf field");
        }

        s.Seek(skip, SeekOrigin.Current);
    }

    private static long ReadVarintAndZero(Stream s)
    {
        ReadVarint(s);
        return 0;
    }

    /// <summary>Reads protobuf fields from a small in-memory message.</summary>
    private struct Reader(byte[] bytes, int position, int end)
    {
        private int _position = position;

        public readonly bool More => _position < end;

        public (int Field, int Wire) Tag()
        {
            ulong tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_position >= end)
                {
                    throw new InvalidDataException("truncated protobuf varint");
                }

                byte b = bytes[_position++];
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            throw new InvalidDataException("bad protobuf varint");
        }

        public Reader Sub()
        {
            int length = checked((int)Varint());
            if (length < 0 || _position + length > end)
            {
                throw new InvalidDataException("truncated protobuf message");
            }

            var sub = new Reader(bytes, _position, _position + length);
            _position += length;
            return sub;
        }

        public string String()
        {
            int length = checked((int)Varint());
            if (length < 0 || _position + length > end)
            {
                throw new InvalidDataException("truncated protobuf string");
            }

            string s = Encoding.UTF8.GetString(bytes, _position, length);
            _position += length;
            return s;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _position += 8; break;
                case 2: Sub(); break;
                case 5: _position += 4; break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {wire}");
            }

            if (_position > end)
            {
                throw new InvalidDataException("truncated protobuf field");
            }
        }
    }
}
