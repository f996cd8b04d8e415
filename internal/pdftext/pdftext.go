// Package pdftext extracts the text of a PDF document, for the tests of the documents the
// service renders: pdfcpu reads the file, and each string a text operator shows is decoded
// through the ToUnicode map of the font in use, as a reader that searches or copies the text
// would.
package pdftext

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Text is the text of a PDF's pages in drawing order, a newline after each page. It reads the
// literal strings of Tj operators in fonts with 2-byte codes (as fpdf writes UTF-8 text).
func Text(pdf []byte) (string, error) {
	ctx, err := api.ReadAndValidate(bytes.NewReader(pdf), model.NewDefaultConfiguration())
	if err != nil {
		return "", err
	}
	var out strings.Builder
	for page := 1; page <= ctx.PageCount; page++ {
		d, _, inh, err := ctx.PageDict(page, true)
		if err != nil {
			return "", err
		}
		fonts := map[string]map[uint16]rune{}
		res := inh.Resources
		if res == nil {
			res = d.DictEntry("Resources")
		}
		fd, err := ctx.DereferenceDict(res["Font"])
		if err != nil {
			return "", err
		}
		for name, ref := range fd {
			f, err := ctx.DereferenceDict(ref)
			if err != nil {
				return "", err
			}
			sd, _, err := ctx.DereferenceStreamDict(f["ToUnicode"])
			if err != nil || sd == nil {
				return "", fmt.Errorf("font %s has no ToUnicode map: %v", name, err)
			}
			if err := sd.Decode(); err != nil {
				return "", err
			}
			fonts[name] = parseCMap(sd.Content)
		}
		content, err := ctx.PageContent(d, page)
		if err != nil {
			return "", err
		}
		showText(&out, content, fonts)
		out.WriteByte('\n')
	}
	return out.String(), nil
}

var (
	bfchar  = regexp.MustCompile(`<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>`)
	bfrange = regexp.MustCompile(`<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>`)
)

// parseCMap reads the bfchar and bfrange entries of a ToUnicode CMap (2-byte codes).
func parseCMap(cmap []byte) map[uint16]rune {
	m := map[uint16]rune{}
	num := func(h string) uint16 { b, _ := hex.DecodeString(h); return uint16(b[0])<<8 | uint16(b[1]) }
	s := string(cmap)
	for _, block := range strings.Split(s, "beginbfrange")[1:] {
		block, _, _ = strings.Cut(block, "endbfrange")
		for _, r := range bfrange.FindAllStringSubmatch(block, -1) {
			lo, hi, dst := num(r[1]), num(r[2]), num(r[3])
			for c := uint32(lo); c <= uint32(hi); c++ {
				m[uint16(c)] = rune(uint32(dst) + c - uint32(lo))
			}
		}
	}
	for _, block := range strings.Split(s, "beginbfchar")[1:] {
		block, _, _ = strings.Cut(block, "endbfchar")
		for _, r := range bfchar.FindAllStringSubmatch(block, -1) {
			m[num(r[1])] = rune(num(r[2]))
		}
	}
	return m
}

// showText follows the Tf (font) and Tj (show a literal string) operators of a content stream.
func showText(out *strings.Builder, content []byte, fonts map[string]map[uint16]rune) {
	var font map[uint16]rune
	var operands []string
	for i := 0; i < len(content); {
		c := content[i]
		switch {
		case c == '(':
			s, n := literal(content[i:])
			operands = append(operands, s)
			i += n
		case c == '/':
			j := i + 1
			for j < len(content) && !strings.ContainsRune(" \n\r\t/[]()<>", rune(content[j])) {
				j++
			}
			operands = append(operands, string(content[i:j]))
			i = j
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
			i++
		default:
			j := i
			for j < len(content) && !strings.ContainsRune(" \n\r\t/[]()<>", rune(content[j])) {
				j++
			}
			if j == i {
				j++
			}
			tok := string(content[i:j])
			i = j
			if _, err := strconv.ParseFloat(tok, 64); err == nil {
				operands = append(operands, tok)
				continue
			}
			switch tok {
			case "Tf":
				if len(operands) >= 2 {
					font = fonts[strings.TrimPrefix(operands[len(operands)-2], "/")]
				}
			case "Tj":
				if len(operands) >= 1 && font != nil {
					b := operands[len(operands)-1]
					for k := 0; k+1 < len(b); k += 2 {
						if r, ok := font[uint16(b[k])<<8|uint16(b[k+1])]; ok {
							out.WriteRune(r)
						}
					}
				}
			}
			operands = operands[:0]
		}
	}
}

// literal reads a PDF literal string at the start of b: its bytes and the length it took.
func literal(b []byte) (string, int) {
	var s []byte
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\\':
			i++
			if i >= len(b) {
				return string(s), i
			}
			switch e := b[i]; e {
			case 'n':
				s = append(s, '\n')
			case 'r':
				s = append(s, '\r')
			case 't':
				s = append(s, '\t')
			case 'b':
				s = append(s, '\b')
			case 'f':
				s = append(s, '\f')
			default:
				if e >= '0' && e <= '7' {
					j := i
					for j < len(b) && j < i+3 && b[j] >= '0' && b[j] <= '7' {
						j++
					}
					v, _ := strconv.ParseUint(string(b[i:j]), 8, 8)
					s = append(s, byte(v))
					i = j - 1
				} else {
					s = append(s, e)
				}
			}
		case '(':
			if depth > 0 {
				s = append(s, c)
			}
			depth++
		case ')':
			depth--
			if depth == 0 {
				return string(s), i + 1
			}
			s = append(s, c)
		default:
			s = append(s, c)
		}
	}
	return string(s), len(b)
}
