"""Reads a report.html (or a browser's DOM dump of it) and counts its chart data points.

Usage: report_html_check.py [--xml] FILE

Prints one line per distinct (class, data-run) of the elements whose class has the token "pt"
("pt<TAB>class<TAB>data-run<TAB>count"; the token "front" is dropped from the class), then
"svg<TAB>count" and "ok". With --xml the file must also parse as XML (xml.etree), and every
point element must have a <title> child (its tooltip); otherwise exit status 1 and the reason.
Only the standard library: tests/results/report/report_html_test.cpp and report_browser_test.cpp run
it with Debian's /usr/bin/python3.
"""
import collections
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"


class PointCounter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.points = collections.Counter()
        self.svgs = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svgs += 1
        tokens = (a.get("class") or "").split()
        if "pt" in tokens:
            key = " ".join(t for t in tokens if t != "front")
            self.points[(key, a.get("data-run", ""))] += 1

    handle_startendtag = handle_starttag


def check_xml(text):
    root = ET.fromstring(text)
    for el in root.iter():
        tokens = (el.get("class") or "").split()
        if "pt" in tokens and el.find(SVG + "title") is None:
            raise ValueError("point element without <title>: %s %s" % (el.tag, el.attrib))
    return root


def main(argv):
    xml = "--xml" in argv
    path = [a for a in argv if a != "--xml"][0]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if xml:
        try:
            check_xml(text)
        except (ET.ParseError, ValueError) as e:
            print("not well-formed XML: %s" % e)
            return 1
    counter = PointCounter()
    counter.feed(text)
    counter.close()
    for (cls, run), n in sorted(counter.points.items()):
        print("pt\t%s\t%s\t%d" % (cls, run, n))
    print("svg\t%d" % counter.svgs)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
