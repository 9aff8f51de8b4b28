import Testing
@testable import HedgeLedger

@Suite("Exact decimals")
struct ExactDecimalTests {
    @Test("thousands separators are dropped only where they group the whole part in threes")
    func thousands() {
        for (text, expected) in [("1,234.5", "1234.5"), ("-1,234,567", "-1234567"), ("999", "999"), ("12,345.678,9", nil),
                                 ("0,25", nil), ("95010,5", nil), ("1,23", nil), ("1234,567", nil), (",123", nil), ("1,,234", nil)] {
            #expect(DecimalSyntax.withoutThousands(text, separator: ",") == expected, "\(text)")
        }
        #expect(DecimalSyntax.withoutThousands("1 234", separator: " ") == "1234")
    }

    @Test("a text is canonical exactly when it is how its value is written back: imports store such texts as read")
    func canonicalText() throws {
        var random = SeededRandom(seed: 11)
        let alphabet = Array("-+0123456789.")
        var canonical = 0
        for _ in 0..<200_000 {
            let length = 1 + Int(random.next() % 24)
            let text = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            guard case .success(let value) = DecimalSyntax.parse(text) else {
                continue
            }
            #expect(DecimalSyntax.isCanonical(text) == (value.description == text), "'\(text)' read as \(value)")
            if DecimalSyntax.isCanonical(text) { canonical += 1 }
        }
        for text in ["0", "7", "-7", "0.5", "-0.5", "95000.1", "0.000000000000000001", "12345678901234567890"] {
            #expect(DecimalSyntax.isCanonical(text) == (try DecimalSyntax.parse(text).get().description == text), "'\(text)'")
        }
        for text in ["-0", "+1", "01", "1.0", "1.", ".5", "0.0000000000000000001", "", "-", "1e5", " 1"] {
            #expect(!DecimalSyntax.isCanonical(text), "'\(text)'")
        }
        #expect(canonical > 1000)  // the random texts reached the canonical case often enough to mean something
    }

    @Test("accepts the strict grammar and prints canonically",
          arguments: [("0", "0"), ("1", "1"), ("-1.50", "-1.5"), ("+2", "2"), ("0.000000000000000001", "0.000000000000000001"),
                      ("100000", "100000"), ("007.10", "7.1"), ("123456789012345678.5", "123456789012345678.5")])
    func accepts(input: String, canonical: String) {
        #expect(decimal(input).description == canonical)
    }

    @Test("refuses what is not a plain decimal",
          arguments: ["", "-", "1.", ".5", "1,234.5", "1 000", "1.234,5", "1e3", "1E-2", "nan", "inf", "-inf", "0x1p3",
                      "12abc", " 1", "1 ", "1..2", "NA", "null", "0.0000000000000000001", "١٢"])
    func refuses(input: String) {
        guard case .failure = DecimalSyntax.parse(input) else {
            Issue.record("'\(input)' was accepted")
            return
        }
    }

    @Test("explains thousands separators and exponents")
    func explains() {
        guard case .failure(let comma) = DecimalSyntax.parse("1,234.5"),
              case .failure(let exponent) = DecimalSyntax.parse("1e3") else { Issue.record("accepted"); return }
        #expect(comma.description.contains("thousands separators"))
        #expect(exponent.description.contains("exponent"))
    }

    @Test("a million additions of 0.1 make exactly 100000")
    func noDrift() throws {
        var sum = ExactDecimal.zero
        let tenth = decimal("0.1")
        for _ in 0..<1_000_000 { try sum += tenth }
        #expect(sum == ExactDecimal(100_000))
        #expect(sum.description == "100000")
    }

    @Test("multiplication is exact within 18 places; division rounds half to even")
    func arithmetic() throws {
        #expect(try (decimal("0.1") * decimal("0.2")).description == "0.02")
        #expect(try (decimal("-3.5") * decimal("2")).description == "-7")
        #expect(try (ExactDecimal(1) / ExactDecimal(3)).description == "0.333333333333333333")
        #expect(try (ExactDecimal(2) / ExactDecimal(3)).description == "0.666666666666666667")
        #expect(try (ExactDecimal(-2) / ExactDecimal(3)).description == "-0.666666666666666667")
        // 5e-19 is exactly half a unit: ties go to the even neighbour.
        #expect(try (decimal("0.000000000000000001") / ExactDecimal(2)).description == "0")
        #expect(try (decimal("0.000000000000000003") / ExactDecimal(2)).description == "0.000000000000000002")
        #expect(decimal("2.675").rounded(toPlaces: 2)?.description == "2.68")
        #expect(decimal("2.665").rounded(toPlaces: 2)?.description == "2.66")
        #expect(decimal("-2.675").rounded(toPlaces: 2)?.description == "-2.68")
    }
}
