// The live preview: the compiled message in a sandboxed frame (no scripts, no same-origin
// access, so nothing in a body can reach the dashboard), at a desktop or a phone's width.
// A desktop-width frame wider than its column is scaled down to fit, still laid out at
// 640 px, so what the marketer sees is the desktop layout, only smaller.
import { useEffect, useRef, useState, type Key } from 'react';
import { ToggleButton, ToggleButtonGroup } from 'react-aria-components';
import { SAMPLE_SUBSCRIBER } from './preview-sample';
import type { PreviewState } from './use-preview';

const WIDTHS = { desktop: 640, mobile: 375 } as const;
type Width = keyof typeof WIDTHS;

/** The width an element has, kept up to date as the layout changes. */
function useWidth<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(entry?.contentRect.width ?? 0));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

export function PreviewPane({ state }: { state: PreviewState }) {
  const [size, setSize] = useState<Width>('desktop');
  const [stageRef, stageWidth] = useWidth<HTMLDivElement>();
  const frameWidth = WIDTHS[size];
  const scale = stageWidth > 0 ? Math.min(1, stageWidth / frameWidth) : 1;
  const onChange = (keys: Set<Key>) => {
    const [key] = keys;
    if (key === 'desktop' || key === 'mobile') setSize(key);
  };

  return (
    <div className="preview">
      <div className="preview-toolbar">
        <h3 id="preview-title">Preview</h3>
        <ToggleButtonGroup aria-label="Preview width" selectionMode="single" disallowEmptySelection selectedKeys={[size]} onSelectionChange={onChange} className="segmented">
          <ToggleButton id="desktop">Desktop</ToggleButton>
          <ToggleButton id="mobile">Mobile</ToggleButton>
        </ToggleButtonGroup>
        <span className="hint" role="status">
          {state.preview === null ? 'Compiling…' : state.stale ? 'Updating…' : ''}
        </span>
      </div>
      <p className="hint">
        As {SAMPLE_SUBSCRIBER.name} ({SAMPLE_SUBSCRIBER.email}) would see it: merge tags hold sample values.
      </p>
      <div className="preview-stage" ref={stageRef} style={{ height: `${36 * scale}rem` }}>
        <iframe
          className="preview-frame"
          title={`Preview at ${size} width (${frameWidth} px)`}
          sandbox=""
          srcDoc={state.preview?.html ?? ''}
          width={frameWidth}
          data-width={size}
          style={{ width: frameWidth, height: `${36}rem`, transform: `scale(${scale})` }}
        />
      </div>
    </div>
  );
}
